#include "webhook/GoStrings.hpp"

#include <charconv>

#include "util/Utf8.hpp"

namespace irsa::webhook {

std::optional<std::int64_t> goParseInt(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::size_t start = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    start = 1;
  }
  std::string_view digits = s.substr(start);
  if (digits.empty()) return std::nullopt;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  // Parse the magnitude as unsigned so INT64_MIN round-trips like Go's.
  std::uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  constexpr std::uint64_t kMaxPositive = static_cast<std::uint64_t>(INT64_MAX);
  if (negative) {
    if (magnitude > kMaxPositive + 1) return std::nullopt;
    return magnitude == kMaxPositive + 1 ? INT64_MIN : -static_cast<std::int64_t>(magnitude);
  }
  if (magnitude > kMaxPositive) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

std::string goCoerceToValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    const std::size_t n = util::utf8SequenceLength(s);
    if (n == 0) {
      out.append("\xEF\xBF\xBD");  // U+FFFD REPLACEMENT CHARACTER
      s.remove_prefix(1);
    } else {
      out.append(s.substr(0, n));
      s.remove_prefix(n);
    }
  }
  return out;
}

bool goJsonKeyMatches(std::string_view key, std::string_view field) {
  if (key == field) return true;
  const auto upper = [](unsigned char c) {
    return c >= 'a' && c <= 'z' ? static_cast<unsigned char>(c - 32) : c;
  };
  std::size_t k = 0;
  for (const char f : field) {
    if (k >= key.size()) return false;
    const auto c = static_cast<unsigned char>(key[k]);
    unsigned char folded = 0;
    if (c < 0x80) {
      folded = upper(c);
      k += 1;
    } else if (key.substr(k, 3) == "\xE2\x84\xAA") {  // U+212A KELVIN SIGN
      folded = 'K';
      k += 3;
    } else if (key.substr(k, 2) == "\xC5\xBF") {  // U+017F LATIN SMALL LETTER LONG S
      folded = 'S';
      k += 2;
    } else {
      return false;  // no other rune folds to ASCII
    }
    if (folded != upper(static_cast<unsigned char>(f))) return false;
  }
  return k == key.size();
}

std::string goCleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool rooted = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  std::string out = rooted ? "/" : "";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out.push_back('/');
    out.append(parts[k]);
  }
  if (out.empty()) return ".";
  return out;
}

namespace {
// Go's reader ends a record at "\n" or "\r\n"; a lone "\r" is data.
bool endsRecord(std::string_view s, std::size_t i) {
  return s[i] == '\n' || (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ||
         (s[i] == '\r' && i + 1 == s.size());
}
}  // namespace

std::optional<std::vector<std::string>> goReadCsvRecord(std::string_view s) {
  std::vector<std::string> fields;
  std::size_t i = 0;
  // Go's reader skips empty lines before the first record.
  while (i < s.size() && (s[i] == '\n' || s[i] == '\r'))
    ++i;
  if (i == s.size()) return std::nullopt;  // io.EOF: no record at all
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(s[i++]);
      }
      if (!closed) return std::nullopt;
      if (i < s.size() && s[i] != ',' && !endsRecord(s, i)) return std::nullopt;
    } else {
      while (i < s.size() && s[i] != ',' && !endsRecord(s, i)) {
        if (s[i] == '"') return std::nullopt;  // bare quote in a non-quoted field
        field.push_back(s[i++]);
      }
    }
    fields.push_back(std::move(field));
    if (i < s.size() && s[i] == ',') {
      ++i;
      continue;
    }
    break;  // end of input or end of the first line
  }
  return fields;
}

}  // namespace irsa::webhook
