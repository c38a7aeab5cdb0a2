#include "util/GoParse.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace irsa::util {

std::optional<bool> goParseBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return std::nullopt;
}

namespace {

// Go's time.ParseDuration grammar: [+]{number unit}+, number = digits
// [. digits] or . digits; "0" alone is allowed. Negative durations are
// refused: no flag here means anything by them. The total in milliseconds,
// unrounded.
Result<long double> parseDurationMs(std::string_view text) {
  const auto invalid = [&](const char* why) {
    return Result<long double>(fail(std::string(why) + " in duration \"" + std::string(text) + "\""));
  };
  if (text == "0") return 0.0L;
  if (text.empty()) return invalid("empty");
  std::size_t i = 0;
  if (text[0] == '-') return invalid("negative value");
  if (text[0] == '+') ++i;
  if (i == text.size()) return invalid("missing number");
  constexpr long double kMaxMs = 9.2e15L;  // well inside int64 milliseconds
  long double totalMs = 0;
  while (i < text.size()) {
    long double number = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i++] - '0');
      digits = true;
      if (number > kMaxMs) return invalid("overflow");
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        number += (text[i++] - '0') * scale;
        scale /= 10;
        digits = true;
      }
    }
    if (!digits) return invalid("missing number");
    const std::size_t unitStart = i;
    while (i < text.size() && !(text[i] >= '0' && text[i] <= '9') && text[i] != '.')
      ++i;
    const std::string_view unit = text.substr(unitStart, i - unitStart);
    long double scale = 0;
    if (unit == "ns")
      scale = 1e-6L;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs")
      scale = 1e-3L;
    else if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1e3L;
    else if (unit == "m")
      scale = 60e3L;
    else if (unit == "h")
      scale = 3600e3L;
    else
      return invalid(unit.empty() ? "missing unit" : "unknown unit");
    totalMs += number * scale;
    if (totalMs > kMaxMs) return invalid("overflow");
  }
  return totalMs;
}

}  // namespace

Result<std::chrono::milliseconds> goParseDuration(std::string_view text) {
  auto ms = parseDurationMs(text);
  if (!ms) return std::move(ms).failure();
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(static_cast<double>(*ms))));
}

Result<std::chrono::nanoseconds> goParseDurationNanos(std::string_view text) {
  auto ms = parseDurationMs(text);
  if (!ms) return std::move(ms).failure();
  if (*ms > 9.2e12L) return fail("overflow in duration \"" + std::string(text) + "\"");  // int64 nanoseconds
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llroundl(*ms * 1e6L)));
}

Result<double> goParseFloat(std::string_view text) {
  const auto invalid = [&](const char* why) {
    return Result<double>(fail("strconv.ParseFloat: parsing \"" + std::string(text) + "\": " + why));
  };
  // from_chars takes no '+', and refuses leading spaces as Go does.
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  if (digits.empty() || (digits.size() < text.size() && digits.front() == '-'))
    return invalid("invalid syntax");
  double value = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) return invalid("value out of range");
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return invalid("invalid syntax");
  return value;
}

Result<std::chrono::sys_seconds> goParseRfc3339(std::string_view text) {
  const auto invalid = [&] {
    return Result<std::chrono::sys_seconds>(
        fail("parsing time \"" + std::string(text) + "\" as RFC 3339: want 2006-01-02T15:04:05Z07:00"));
  };
  std::size_t at = 0;
  // `width` digits at `at`, or -1.
  const auto digits = [&](std::size_t width) -> int {
    if (at + width > text.size()) return -1;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text[at + i];
      if (c < '0' || c > '9') return -1;
      value = value * 10 + (c - '0');
    }
    at += width;
    return value;
  };
  const auto expect = [&](std::string_view chars) {
    if (at >= text.size() || chars.find(text[at]) == std::string_view::npos) return false;
    ++at;
    return true;
  };
  const int year = digits(4);
  if (year < 0 || !expect("-")) return invalid();
  const int month = digits(2);
  if (month < 0 || !expect("-")) return invalid();
  const int day = digits(2);
  if (day < 0 || !expect("Tt")) return invalid();
  const int hour = digits(2);
  if (hour < 0 || !expect(":")) return invalid();
  const int minute = digits(2);
  if (minute < 0 || !expect(":")) return invalid();
  const int second = digits(2);
  if (second < 0) return invalid();
  if (at < text.size() && text[at] == '.') {
    ++at;
    const std::size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9')
      ++at;
    if (at == start) return invalid();
  }
  int offsetSeconds = 0;
  if (expect("Zz")) {
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '-' ? -1 : 1;
    ++at;
    const int oh = digits(2);
    if (oh < 0 || !expect(":")) return invalid();
    const int om = digits(2);
    if (om < 0 || oh > 23 || om > 59) return invalid();
    offsetSeconds = sign * (oh * 3600 + om * 60);
  } else {
    return invalid();
  }
  if (at != text.size()) return invalid();
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return invalid();
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second - offsetSeconds);
}

}  // namespace irsa::util
