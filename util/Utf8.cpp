#include "util/Utf8.hpp"

namespace irsa::util {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

std::size_t utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto at = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  const auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return at(i) >= lo && at(i) <= hi;
  };
  const unsigned b = at(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return cont(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    // E0: no overlong forms; ED: no surrogates (U+D800..U+DFFF).
    const bool second = b == 0xE0 ? cont(1, 0xA0) : b == 0xED ? cont(1, 0x80, 0x9F) : cont(1);
    return second && cont(2) ? 3 : 0;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    // F0: no overlong forms; F4: nothing past U+10FFFF.
    const bool second = b == 0xF0 ? cont(1, 0x90) : b == 0xF4 ? cont(1, 0x80, 0x8F) : cont(1);
    return second && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

std::string replaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto isSurrogate = [](std::string_view t) {
    return t.size() >= 3 && static_cast<unsigned char>(t[0]) == 0xED &&
           (static_cast<unsigned char>(t[1]) & 0xE0) == 0xA0 &&
           (static_cast<unsigned char>(t[2]) & 0xC0) == 0x80;
  };
  while (!s.empty()) {
    std::size_t n = utf8SequenceLength(s);
    if (n > 0) {
      out.append(s.substr(0, n));
    } else {
      out.append(kReplacement);
      n = isSurrogate(s) ? 3 : 1;
    }
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace irsa::util
