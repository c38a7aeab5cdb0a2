#include "yaml/YamlScalar.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace irsa::yaml {
namespace {

using Alloc = YamlScalar::Alloc;

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

// Go's strconv.ParseUint(s, 0, 64): 0x/0o/0b prefixes; a leading 0 means
// octal, which is why Kubernetes reads `defaultMode: 0644` as 420.
std::optional<std::uint64_t> parseGoUint(std::string_view s) {
  int base = 10;
  if (s.size() > 1 && s[0] == '0') {
    const char p = static_cast<char>(s[1] | 0x20);
    if (s.size() >= 3 && (p == 'x' || p == 'o' || p == 'b')) {
      base = p == 'x' ? 16 : (p == 'o' ? 8 : 2);
      s.remove_prefix(2);
    } else {
      base = 8;
      s.remove_prefix(1);
    }
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// ParseInt (optionally signed) first, then ParseUint, as go-yaml does.
bool setGoInt(std::string_view s, rapidjson::Value& out) {
  std::string_view digits = s;
  const bool signedText = !digits.empty() && (digits[0] == '+' || digits[0] == '-');
  const bool neg = signedText && digits[0] == '-';
  if (signedText) digits.remove_prefix(1);
  const auto u = parseGoUint(digits);
  if (!u) return false;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!neg && *u <= kMax) {
    out.SetInt64(static_cast<std::int64_t>(*u));
  } else if (neg && *u <= kMax + 1) {
    out.SetInt64(*u == kMax + 1 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(*u));
  } else if (!signedText) {
    out.SetUint64(*u);
  } else {
    return false;
  }
  return true;
}

// Whether an out-of-range decimal float is tiny rather than huge: the power
// of ten of its leading digit is negative.
bool underflows(std::string_view s) {
  const std::size_t e = s.find_first_of("eE");
  const std::string_view mantissa = s.substr(0, e);
  long exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view digits = s.substr(e + 1);
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
    if (r.ec == std::errc::result_out_of_range) return digits[0] == '-';
  }
  const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
  const std::size_t first = mantissa.find_first_of("123456789");
  if (first == std::string_view::npos) return true;
  const long lead = first < dot ? static_cast<long>(dot - first - 1) : -static_cast<long>(first - dot);
  return lead + exponent < 0;
}

// go-yaml's float pattern: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool setYamlFloat(std::string_view s, rapidjson::Value& out) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    return i > start;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  } else {
    if (!digits()) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  if (i != s.size()) return false;
  if (s[0] == '+') s.remove_prefix(1);  // from_chars rejects a plus sign
  double d = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec == std::errc::result_out_of_range && underflows(s)) {
    d = s[0] == '-' ? -0.0 : 0.0;  // Go's ParseFloat rounds tiny values to zero
  } else if (ec != std::errc() || ptr != s.data() + s.size()) {
    return false;  // 1e999 overflows: a string, as in Go
  }
  out.SetDouble(d);
  return true;
}

// JSON has no infinity or NaN; keep them as the strings sigs.k8s.io/yaml uses.
const char* specialFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return ".nan";
  if (s == ".inf" || s == ".Inf" || s == ".INF" || s == "+.inf" || s == "+.Inf" || s == "+.INF")
    return ".inf";
  if (s == "-.inf" || s == "-.Inf" || s == "-.INF") return "-.inf";
  return nullptr;
}

// go-yaml v2's YAML 1.1 booleans, which Kubernetes inherits: kubectl reads an
// unquoted `yes`, `on` or `n` as a boolean too (checked against kubectl
// v1.37), so `enabled: on` is true and an annotation `x: yes` is rejected.
std::optional<bool> parseBool(std::string_view s) {
  static constexpr std::string_view kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                               "on",   "On",   "ON",   "y",   "Y"};
  static constexpr std::string_view kFalse[] = {"false", "False", "FALSE", "no", "No", "NO",
                                                "off",   "Off",   "OFF",   "n",  "N"};
  for (const auto t : kTrue) {
    if (s == t) return true;
  }
  for (const auto f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::string withoutUnderscores(std::string_view s) {
  std::string r;
  r.reserve(s.size());
  for (char c : s) {
    if (c != '_') r.push_back(c);
  }
  return r;
}

// go-yaml v2 resolve() for untagged plain scalars. Timestamps stay as written
// (Kubernetes rewrites them as RFC 3339 strings).
void resolvePlain(const std::string& s, rapidjson::Value& out, Alloc& alloc) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    out.SetNull();
    return;
  }
  if (const char* special = specialFloat(s)) {
    out.SetString(rapidjson::StringRef(special));
    return;
  }
  if (const auto b = parseBool(s)) {
    out.SetBool(*b);
    return;
  }
  const char c = s[0];
  if (c == '.') {
    if (setYamlFloat(s, out)) return;
  } else if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
    const std::string plain = withoutUnderscores(s);
    if (setGoInt(plain, out) || setYamlFloat(plain, out)) return;
  }
  out.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

}  // namespace

util::Status YamlScalar::convert(const std::string& tag, const std::string& s, const YAML::Mark& mark,
                                 rapidjson::Value& out, Alloc& alloc) {
  if (tag == "?") {
    resolvePlain(s, out, alloc);
    return util::okStatus();
  }
  // "!" (quoted, block) and unknown tags are strings; the core tags are honoured.
  if (tag.size() > kYamlTagPrefix.size() && tag.compare(0, kYamlTagPrefix.size(), kYamlTagPrefix) == 0) {
    const std::string_view t = std::string_view(tag).substr(kYamlTagPrefix.size());
    bool ok = true;
    if (t == "null") {
      out.SetNull();
    } else if (t == "bool") {
      const auto b = parseBool(s);
      ok = b.has_value();
      if (ok) out.SetBool(*b);
    } else if (t == "int") {
      ok = setGoInt(withoutUnderscores(s), out);
    } else if (t == "float") {
      const std::string plain = withoutUnderscores(s);
      if (const char* special = specialFloat(s)) {
        out.SetString(rapidjson::StringRef(special));
      } else if (setGoInt(plain, out)) {
        out.SetDouble(out.GetDouble());
      } else {
        ok = setYamlFloat(plain, out);
      }
    } else {
      out.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
    }
    if (!ok) return util::fail("cannot decode \"" + s + "\" as !!" + std::string(t) + atLine(mark));
    return util::okStatus();
  }
  out.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  return util::okStatus();
}

util::Status YamlScalar::toKey(rapidjson::Value& typed, const YAML::Mark& mark, Alloc& alloc) {
  if (typed.IsString()) return util::okStatus();
  if (typed.IsNull()) return util::fail("mapping key" + atLine(mark) + " is null");
  if (!typed.IsBool() && !typed.IsNumber()) {
    return util::fail("mapping key" + atLine(mark) + " is not a string");
  }
  char buf[32];
  char* end = buf;
  if (typed.IsBool()) {
    const std::string_view word = typed.GetBool() ? "true" : "false";
    end = std::copy(word.begin(), word.end(), buf);
  } else if (typed.IsInt64()) {
    end = std::to_chars(buf, buf + sizeof buf, typed.GetInt64()).ptr;
  } else if (typed.IsUint64()) {
    end = std::to_chars(buf, buf + sizeof buf, typed.GetUint64()).ptr;
  } else {
    // Go formats float keys with 32-bit precision ('g', -1, 32).
    end = std::to_chars(buf, buf + sizeof buf, static_cast<float>(typed.GetDouble())).ptr;
  }
  typed.SetString(buf, static_cast<rapidjson::SizeType>(end - buf), alloc);
  return util::okStatus();
}

void YamlScalar::keepLastDuplicate(rapidjson::Value& obj) {
  if (obj.MemberCount() < 2) return;
  std::vector<std::pair<std::string_view, rapidjson::SizeType>> keys;
  keys.reserve(obj.MemberCount());
  for (auto m = obj.MemberBegin(); m != obj.MemberEnd(); ++m) {
    keys.emplace_back(std::string_view(m->name.GetString(), m->name.GetStringLength()),
                      static_cast<rapidjson::SizeType>(m - obj.MemberBegin()));
  }
  std::sort(keys.begin(), keys.end());
  std::vector<rapidjson::SizeType> drop;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (keys[i].first == keys[i - 1].first) drop.push_back(keys[i - 1].second);
  }
  // Erase from the back so the remaining indices stay valid.
  std::sort(drop.begin(), drop.end(), std::greater<>());
  for (const auto index : drop) {
    obj.EraseMember(obj.MemberBegin() + index);
  }
}

std::string YamlScalar::atLine(const YAML::Mark& mark) {
  return mark.is_null() ? std::string() : " at line " + std::to_string(mark.line + 1);
}

}  // namespace irsa::yaml
