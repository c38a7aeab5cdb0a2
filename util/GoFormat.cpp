#include "util/GoFormat.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string_view>

namespace irsa::util {

std::string goFloatString(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest digits; Go's %v switches to an exponent below 1e-4 and from 1e6.
  auto sci = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string_view s(buf, static_cast<std::size_t>(sci.ptr - buf));
  const auto e = s.find('e');
  int exponent = 0;
  std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exponent);
  if (exponent < -4 || exponent >= 6) return std::string(s);
  auto fixed = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

std::string goDurationString(std::chrono::nanoseconds d) {
  const std::int64_t ns = d.count();
  if (ns == 0) return "0s";
  const bool negative = ns < 0;
  std::uint64_t u = negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  std::string out;
  // Fraction of `u` over 10^precision, without trailing zeros; u becomes the whole part.
  const auto fraction = [&](int precision) {
    std::string digits;
    bool print = false;
    for (int i = 0; i < precision; ++i) {
      const auto digit = static_cast<char>('0' + u % 10);
      print = print || digit != '0';
      if (print) digits.insert(digits.begin(), digit);
      u /= 10;
    }
    return print ? "." + digits : std::string();
  };
  if (u < 1000000000ULL) {
    int precision = 0;
    const char* unit = "ns";
    if (u >= 1000000ULL) {
      precision = 6;
      unit = "ms";
    } else if (u >= 1000ULL) {
      precision = 3;
      unit = "\xC2\xB5s";  // µs, as Go writes it
    }
    const std::string frac = fraction(precision);
    out = std::to_string(u) + frac + unit;
  } else {
    const std::string frac = fraction(9);
    out = std::to_string(u % 60) + frac + "s";
    u /= 60;
    if (u > 0) {
      out = std::to_string(u % 60) + "m" + out;
      u /= 60;
      if (u > 0) out = std::to_string(u) + "h" + out;
    }
  }
  return negative ? "-" + out : out;
}

}  // namespace irsa::util
