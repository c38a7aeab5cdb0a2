#pragma once
// The two line formats: klog's text (header, message, key="value" pairs) and
// Kubernetes' JSON (component-base/logs/json, zap's encoder). Pure functions
// of one record, so tests can check them byte for byte.

#include <chrono>
#include <source_location>
#include <string>
#include <string_view>

#include "util/Log.hpp"

namespace irsa::util {

struct LogRecord {
  LogSeverity severity{LogSeverity::kInfo};
  int level{0};  // the V level of an info line
  std::string_view msg;
  Fields fields;
  const char* file{""};
  unsigned line{0};
  std::chrono::system_clock::time_point time;
};

struct TextFormat {
  bool skipHeaders{false};
  bool addDirHeader{false};
  int pid{0};
};

// `Lmmdd hh:mm:ss.uuuuuu ppppppp file:line] message key="value"…\n`, local time.
void formatText(std::string& out, const LogRecord& record, const TextFormat& format);

// `{"ts":<ms>,"caller":"dir/file:line","msg":…,"v":N,<pairs>}\n`.
void formatJson(std::string& out, const LogRecord& record);

// strconv.Quote: Go's double-quoted string with Go's escapes.
void appendGoQuoted(std::string& out, std::string_view s);

}  // namespace irsa::util
