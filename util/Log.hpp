#pragma once
// Structured logging in klog's formats, so the reference webhook's log alerts
// and pipelines keep working: the text format is klog's header, the message,
// then key="value" pairs (`I1202 05:30:54.532453    6926 Server.cpp:157] Listening
// on :8443`); `--logging-format=json` is Kubernetes' JSON format (one object a
// line). Where lines go follows klog's flags (LogOptions). Never pass pod
// bodies or tokens here (STYLE.md rule 11).

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "util/GoFormat.hpp"
#include "util/LogOptions.hpp"
#include "util/Result.hpp"

namespace irsa::util {

// One key/value pair. Strings are quoted in the text format; numbers and
// bools are bare, as klog prints them. A duration prints as Go's does ("2s").
struct LogField {
  using Value = std::variant<std::string, std::int64_t, std::uint64_t, double, bool>;
  std::string_view key;
  Value value;

  LogField(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(v) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
  template <typename N, std::enable_if_t<std::is_integral_v<N> && !std::is_same_v<N, bool>, int> = 0>
  LogField(std::string_view k, N v)
      : key(k),
        value(std::is_signed_v<N> ? Value(static_cast<std::int64_t>(v))
                                  : Value(static_cast<std::uint64_t>(v))) {}
  template <typename F, std::enable_if_t<std::is_floating_point_v<F>, int> = 0>
  LogField(std::string_view k, F v) : key(k), value(static_cast<double>(v)) {}
  template <typename Rep, typename Period>
  LogField(std::string_view k, std::chrono::duration<Rep, Period> d);
};

template <typename Rep, typename Period>
LogField::LogField(std::string_view k, std::chrono::duration<Rep, Period> d)
    : key(k), value(goDurationString(std::chrono::duration_cast<std::chrono::nanoseconds>(d))) {}

using Fields = std::initializer_list<LogField>;

class Log {
 public:
  // Applies parsed settings: opens the log files they name. Call it before
  // other threads log; until then lines go to stderr in the text format.
  static Status configure(const LogSettings& settings);

  // klog's V(level).Enabled() at the call site: -v, or -vmodule for its file.
  static bool enabled(int level, std::source_location where = std::source_location::current());

  static void info(std::string_view msg, Fields fields = {},
                   std::source_location where = std::source_location::current()) {
    write(LogSeverity::kInfo, 0, msg, fields, where);
  }
  // klog's V(level).InfoS: logged only when enabled(level).
  static void infoV(int level, std::string_view msg, Fields fields = {},
                    std::source_location where = std::source_location::current()) {
    if (enabled(level, where)) write(LogSeverity::kInfo, level, msg, fields, where);
  }
  // Details for debugging, klog's V(4).
  static void debug(std::string_view msg, Fields fields = {},
                    std::source_location where = std::source_location::current()) {
    infoV(4, msg, fields, where);
  }
  static void warn(std::string_view msg, Fields fields = {},
                   std::source_location where = std::source_location::current()) {
    write(LogSeverity::kWarning, 0, msg, fields, where);
  }
  static void error(std::string_view msg, Fields fields = {},
                    std::source_location where = std::source_location::current()) {
    write(LogSeverity::kError, 0, msg, fields, where);
  }

  // Writes unconditionally: a caller of its own level checks enabled(level) first.
  static void write(LogSeverity severity, int level, std::string_view msg, Fields fields,
                    const std::source_location& where);
};

}  // namespace irsa::util
