#pragma once
// Structured logging: one line per event, `ts=… level=… event=… key=value …`.
// Values are quoted when they contain spaces or quotes. Never pass pod bodies
// or tokens here (STYLE.md rule 11).

#include <atomic>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace irsa::util {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

struct LogField {
  std::string_view key;
  std::string value;
  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  template <typename N, typename = std::enable_if_t<std::is_arithmetic_v<N>>>
  LogField(std::string_view k, N v) : key(k), value(std::to_string(v)) {}
};

class Log {
 public:
  // -v / --v verbosity: 0 errors+warnings+info... mapped as klog: info is
  // always on, debug needs verbosity >= 4.
  static void setVerbosity(int v) { verbosity_.store(v, std::memory_order_relaxed); }
  static int verbosity() { return verbosity_.load(std::memory_order_relaxed); }
  static bool enabled(LogLevel level) {
    return level != LogLevel::kDebug || verbosity() >= 4;
  }

  static void write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);

  static void error(std::string_view event, std::initializer_list<LogField> fields = {}) {
    write(LogLevel::kError, event, fields);
  }
  static void warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
    write(LogLevel::kWarn, event, fields);
  }
  static void info(std::string_view event, std::initializer_list<LogField> fields = {}) {
    write(LogLevel::kInfo, event, fields);
  }
  static void debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
    if (enabled(LogLevel::kDebug)) write(LogLevel::kDebug, event, fields);
  }

 private:
  static inline std::atomic<int> verbosity_{0};
};

}  // namespace irsa::util
