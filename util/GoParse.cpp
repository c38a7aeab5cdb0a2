#include "util/GoParse.hpp"

#include <cmath>
#include <cstdint>
#include <string>

namespace irsa::util {

std::optional<bool> goParseBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
  return std::nullopt;
}

Result<std::chrono::milliseconds> goParseDuration(std::string_view text) {
  // Go's time.ParseDuration grammar: [+]{number unit}+, number = digits
  // [. digits] or . digits; "0" alone is allowed. Negative durations are
  // refused: no flag here means anything by them.
  const auto invalid = [&](const char* why) {
    return Result<std::chrono::milliseconds>(
        fail(std::string(why) + " in duration \"" + std::string(text) + "\""));
  };
  if (text == "0") return std::chrono::milliseconds(0);
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
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(static_cast<double>(totalMs))));
}

}  // namespace irsa::util
