#pragma once
// Go standard library parsers that flag values and annotations share, so a
// value means the same thing here as in the reference webhook (and in pflag,
// which uses these very functions for bool and duration flags).

#include <chrono>
#include <optional>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::util {

// strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> goParseBool(std::string_view s);

// time.ParseDuration ("300ms", "1.5s", "2m30s", a bare "0"), to whole
// milliseconds. Negative durations are refused: no caller means anything by them.
Result<std::chrono::milliseconds> goParseDuration(std::string_view s);
// The same, to whole nanoseconds (Go's own resolution), for sub-millisecond bounds.
Result<std::chrono::nanoseconds> goParseDurationNanos(std::string_view s);

// strconv.ParseFloat(s, 64) for decimal text: "2", "+0.5", "1e3", ".5", and
// "inf", "infinity", "nan" in any case (hexadecimal floats are not taken).
Result<double> goParseFloat(std::string_view s);

// time.Parse(time.RFC3339, s): "2026-01-02T03:04:05Z", with optional
// fractional seconds (dropped) and a "Z" or "+hh:mm"/"-hh:mm" offset.
Result<std::chrono::sys_seconds> goParseRfc3339(std::string_view s);

}  // namespace irsa::util
