#include "kube/YamlJson.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

namespace irsa::kube {
namespace {

using Alloc = rapidjson::Document::AllocatorType;
using Error = std::optional<std::string>;

constexpr std::string_view kYamlTagPrefix = "tag:yaml.org,2002:";

std::string depthError() {
  return "nesting deeper than " + std::to_string(YamlJson::kMaxDepth) + " levels";
}

std::string atLine(const YAML::Mark& mark) {
  return mark.is_null() ? std::string() : " at line " + std::to_string(mark.line + 1);
}

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

Error convertScalar(const YAML::Node& node, rapidjson::Value& out, Alloc& alloc) {
  const std::string& tag = node.Tag();
  const std::string& s = node.Scalar();
  if (tag == "?") {
    resolvePlain(s, out, alloc);
    return std::nullopt;
  }
  // "!" (quoted, block) and unknown tags are strings; the core tags are honoured.
  if (tag.size() > kYamlTagPrefix.size() && tag.compare(0, kYamlTagPrefix.size(), kYamlTagPrefix) == 0) {
    const std::string_view t = std::string_view(tag).substr(kYamlTagPrefix.size());
    bool ok = true;
    if (t == "null") {
      out.SetNull();
    } else if (t == "bool") {
      const auto b = parseBool(s);
      if ((ok = b.has_value())) out.SetBool(*b);
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
    if (!ok) return "cannot decode \"" + s + "\" as !!" + std::string(t) + atLine(node.Mark());
    return std::nullopt;
  }
  out.SetString(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  return std::nullopt;
}

// A mapping key as sigs.k8s.io/yaml spells it in JSON: typed like a value,
// then written back (`on` -> "true", `0x10` -> "16"); null keys are refused.
Error keyName(const YAML::Node& key, Alloc& alloc, rapidjson::Value& name) {
  if (!key.IsScalar()) {
    return "mapping key" + atLine(key.Mark()) + (key.IsNull() ? " is null" : " is not a string");
  }
  rapidjson::Value typed;
  if (auto err = convertScalar(key, typed, alloc)) return err;
  if (typed.IsString()) {
    name = typed;  // RapidJSON assignment moves
    return std::nullopt;
  }
  if (typed.IsNull()) return "mapping key" + atLine(key.Mark()) + " is null";
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
  name.SetString(buf, static_cast<rapidjson::SizeType>(end - buf), alloc);
  return std::nullopt;
}

// go-yaml lets a repeated mapping key overwrite the earlier one; so do we.
void keepLastDuplicate(rapidjson::Value& obj) {
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
  for (const auto index : drop)
    obj.EraseMember(obj.MemberBegin() + index);
}

// Iterative, so neither deep nor cyclic (`&a [*a]`) input can overflow the
// stack: the depth limit stops both.
Error convertNode(const YAML::Node& root, rapidjson::Document& doc, std::size_t& budget) {
  struct Frame {
    YAML::Node node;  // keeps the iterators' node alive
    rapidjson::Value* out;
    YAML::const_iterator it;
    YAML::const_iterator end;
    int depth;
    int merges;  // `<<` sources this frame is nested in; bounds `&a {<<: *a}`
    bool merge;  // copies a `<<` source's entries into `out`
  };
  Alloc& alloc = doc.GetAllocator();
  std::vector<Frame> stack;

  // A container's value is only appended to after its children are done, so
  // `out` stays valid while its frame is on the stack.
  const auto place = [&](const YAML::Node& node, rapidjson::Value& out, int depth, int merges) -> Error {
    if (budget == 0) return std::string("document expands to too many values (alias expansion?)");
    --budget;
    switch (node.Type()) {
      case YAML::NodeType::Map:
      case YAML::NodeType::Sequence:
        if (depth > YamlJson::kMaxDepth) return depthError() + atLine(node.Mark());
        if (node.IsMap()) {
          out.SetObject();
        } else {
          out.SetArray();
        }
        stack.push_back(Frame{node, &out, node.begin(), node.end(), depth, merges, false});
        return std::nullopt;
      case YAML::NodeType::Scalar:
        return convertScalar(node, out, alloc);
      default:
        out.SetNull();
        return std::nullopt;
    }
  };

  // `<<: *base` or `<<: [*a, *b]`: the sources' entries are appended where
  // the key stands, so with later-wins keys after it override them and, as
  // in go-yaml v2, an earlier source beats a later one.
  const auto merge = [&](const YAML::Node& source, rapidjson::Value& out, int depth, int merges) -> Error {
    if (merges >= YamlJson::kMaxDepth) return "merge keys nested deeper than " + std::to_string(merges);
    const bool list = source.IsSequence();
    for (std::size_t i = 0; i < (list ? source.size() : 1); ++i) {
      if (!(list ? source[i] : source).IsMap()) {
        return "merge key `<<`" + atLine(source.Mark()) + " needs a map or a list of maps";
      }
    }
    for (std::size_t i = 0; i < (list ? source.size() : 1); ++i) {  // the last pushed merges first
      if (budget == 0) return std::string("document expands to too many values (alias expansion?)");
      --budget;  // empty sources cost too, or `<<: [*a, *a, ...]` chains could loop for ages
      const YAML::Node map = list ? source[i] : source;
      stack.push_back(Frame{map, &out, map.begin(), map.end(), depth, merges + 1, true});
    }
    return std::nullopt;
  };

  if (auto err = place(root, doc, 1, 0)) return err;
  while (!stack.empty()) {
    Frame& frame = stack.back();
    rapidjson::Value* parent = frame.out;
    if (frame.it == frame.end) {
      if (parent->IsObject() && !frame.merge) keepLastDuplicate(*parent);
      stack.pop_back();
      continue;
    }
    const auto entry = *frame.it;
    ++frame.it;
    // `frame` may move once something is pushed.
    const int depth = frame.depth;
    const int merges = frame.merges;
    if (parent->IsObject()) {
      const YAML::Node& key = entry.first;
      if (key.IsScalar() && key.Tag() == "?" && key.Scalar() == "<<") {
        if (auto err = merge(entry.second, *parent, depth, merges)) return err;
        continue;
      }
      rapidjson::Value name;
      if (auto err = keyName(key, alloc, name)) return err;
      rapidjson::Value placeholder;
      parent->AddMember(name, placeholder, alloc);
      if (auto err = place(entry.second, (parent->MemberEnd() - 1)->value, depth + 1, merges)) return err;
    } else {
      rapidjson::Value placeholder;
      parent->PushBack(placeholder, alloc);
      const YAML::Node& element = entry;
      if (auto err = place(element, (*parent)[parent->Size() - 1], depth + 1, merges)) return err;
    }
  }
  return std::nullopt;
}

// yaml-cpp's parser recurses per nesting level. This cheap scan rejects text
// whose flow brackets or block indentation obviously nest too deep before
// yaml-cpp sees it. It may undercount odd layouts; the exact check is in
// convertNode(), and yaml-cpp's own depth guard backs this up.
Error prescanYaml(std::string_view text) {
  const auto limit = static_cast<std::size_t>(YamlJson::kMaxDepth);
  std::vector<std::size_t> indents;        // open block indentation levels
  std::optional<std::size_t> blockParent;  // indentation of a `|`/`>` line
  std::size_t flow = 0;
  char quote = 0;
  std::size_t lineNo = 0, quoteLine = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineNo;
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '\r') continue;
    if (blockParent && indent > *blockParent) continue;  // block scalar text
    blockParent.reset();
    const auto tooDeep = [&] { return depthError() + " at line " + std::to_string(lineNo); };

    std::size_t i = indent;
    std::size_t base = indents.size();
    if (quote == 0 && flow == 0) {
      if (line[indent] == '#') continue;
      if (indent == 0 && (line.substr(0, 3) == "---" || line.substr(0, 3) == "...")) {
        indents.clear();
        i = 3;
      } else {
        while (!indents.empty() && indents.back() > indent)
          indents.pop_back();
        if (indents.empty() || indents.back() < indent) indents.push_back(indent);
      }
      // `- - - x` nests one sequence per dash on a single line.
      std::size_t dashes = 0;
      while (i < line.size() && (line[i] == '-' || line[i] == '?') &&
             (i + 1 == line.size() || line[i + 1] == ' ')) {
        ++dashes;
        i = std::min(line.size(), line.find_first_not_of(' ', i + 1));
      }
      base = indents.size() + (dashes > 0 ? dashes - 1 : 0);
      if (base > limit) return tooDeep();
    }

    char last = 0;  // last significant character on this line
    bool lastOpened = false, spaced = true, blockIndicator = false;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (quote == '"') {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quote = 0;
          last = c;
          spaced = false;
        }
        continue;
      }
      if (quote == '\'') {
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
        } else if (c == '\'') {
          quote = 0;
          last = c;
          spaced = false;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        spaced = true;
        continue;
      }
      if (c == '#' && spaced) break;
      const bool tokenStart = last == 0 || lastOpened || (flow > 0 && (last == ',' || last == ':')) ||
                              ((last == ':' || last == '-' || last == '?') && spaced);
      bool opened = false;
      if (tokenStart && (c == '"' || c == '\'')) {
        quote = c;
        quoteLine = lineNo;
      } else if (tokenStart && (c == '[' || c == '{')) {
        opened = true;
        if (base + ++flow > limit) return tooDeep();
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      if (tokenStart && flow == 0 && (c == '|' || c == '>')) {
        blockIndicator = true;
      } else if (blockIndicator && !(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
        blockIndicator = false;
      }
      last = c;
      lastOpened = opened;
      spaced = false;
    }
    if (blockIndicator && quote == 0) blockParent = indent;
  }
  // yaml-cpp quietly ends an unclosed quote at the end of the text, taking the
  // keys after it into the string; go-yaml and kubectl reject it.
  if (quote != 0)
    return "invalid YAML at line " + std::to_string(quoteLine) + ": quoted scalar is never closed";
  return std::nullopt;
}

// Forwards SAX events to the document, refusing to open level kMaxDepth + 1.
struct DepthLimitedHandler {
  rapidjson::Document& doc;
  int depth = 0;
  bool tooDeep = false;

  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned u) { return doc.Uint(u); }
  bool Int64(std::int64_t i) { return doc.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc.Uint64(u); }
  bool Double(double d) { return doc.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
  bool StartObject() { return enter() && doc.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth;
    return doc.EndObject(n);
  }
  bool StartArray() { return enter() && doc.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth;
    return doc.EndArray(n);
  }
  bool enter() {
    tooDeep = ++depth > YamlJson::kMaxDepth;
    return !tooDeep;
  }
};

std::string lineColumn(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const auto line = std::count(before.begin(), before.end(), '\n') + 1;
  const std::size_t lineStart = before.rfind('\n');
  const std::size_t column = offset - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

util::Result<std::vector<rapidjson::Document>> YamlJson::parseAll(std::string_view text) {
  if (text.size() > kMaxInputBytes) return util::fail("input larger than 16 MiB");
  // NUL is never valid here, and RapidJSON would take it as end of input.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return util::fail("NUL byte at " + lineColumn(text, nul));
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) return parseJson(text);
  return parseYaml(text);
}

util::Result<rapidjson::Document> YamlJson::parseOne(std::string_view text) {
  auto docs = parseAll(text);
  if (!docs) return util::fail(docs.error());
  if (docs->size() != 1) return util::fail("expected one document, found " + std::to_string(docs->size()));
  return std::move(docs->front());
}

util::Result<std::vector<rapidjson::Document>> YamlJson::readFile(const std::string& path) {
  const auto readError = [&path](int err) {
    return util::fail("read " + path + ": " + std::error_code(err, std::generic_category()).message());
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return readError(errno);
  std::string text;
  char buf[64 * 1024];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, file.get());
    text.append(buf, n);
    if (text.size() > kMaxInputBytes) return util::fail(path + ": larger than 16 MiB");
    if (n < sizeof buf) {
      if (std::ferror(file.get())) return readError(errno);
      break;
    }
  }
  auto docs = parseAll(text);
  if (!docs) return util::fail(path + ": " + docs.error());
  return docs;
}

util::Result<std::vector<rapidjson::Document>> YamlJson::parseJson(std::string_view text) {
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag |
                              rapidjson::kParseValidateEncodingFlag;
  rapidjson::Document doc;
  rapidjson::ParseResult result;
  bool tooDeep = false;
  const auto generate = [&](rapidjson::Document& target) {
    DepthLimitedHandler handler{target};
    rapidjson::MemoryStream stream(text.data(), text.size());
    rapidjson::Reader reader;
    result = reader.Parse<kFlags>(stream, handler);
    tooDeep = handler.tooDeep;
    return !result.IsError();
  };
  doc.Populate(generate);
  if (tooDeep) return util::fail(depthError() + " at " + lineColumn(text, result.Offset()));
  if (result.IsError()) {
    return util::fail("invalid JSON at " + lineColumn(text, result.Offset()) + ": " +
                      rapidjson::GetParseError_En(result.Code()));
  }
  std::vector<rapidjson::Document> docs;
  docs.push_back(std::move(doc));
  return docs;
}

util::Result<std::vector<rapidjson::Document>> YamlJson::parseYaml(std::string_view text) {
  if (auto err = prescanYaml(text)) return util::fail(*err);
  try {
    std::vector<rapidjson::Document> docs;
    std::size_t budget = std::min(kMaxValues, kBaseValues + kValuesPerByte * text.size());
    for (const YAML::Node& node : YAML::LoadAll(std::string(text))) {
      if (node.IsNull()) continue;  // `---` with nothing (or only `null`) after it
      rapidjson::Document doc;
      if (auto err = convertNode(node, doc, budget)) return util::fail(*err);
      docs.push_back(std::move(doc));
    }
    return docs;
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return util::fail("invalid YAML: " + e.msg);
    return util::fail("invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return util::fail(std::string("invalid YAML: ") + e.what());
  }
}

}  // namespace irsa::kube
