#pragma once
// A RapidJSON SAX handler that builds a Document and refuses to open a level
// past a depth limit, so the parser stops before it recurses (or allocates)
// any deeper. webhook::parseJson and yaml::YamlJson both parse with it; each
// words its own errors.

#include <rapidjson/document.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "util/Utf8.hpp"

namespace irsa::util {

class DepthLimitedHandler {
 public:
  DepthLimitedHandler(rapidjson::Document& doc, unsigned maxDepth) : doc_(doc), maxDepth_(maxDepth) {}

  bool Null() { return doc_.Null(); }
  bool Bool(bool b) { return doc_.Bool(b); }
  bool Int(int i) { return doc_.Int(i); }
  bool Uint(unsigned u) { return doc_.Uint(u); }
  bool Int64(std::int64_t i) { return doc_.Int64(i); }
  bool Uint64(std::uint64_t u) { return doc_.Uint64(u); }
  bool Double(double d) { return doc_.Double(d); }
  // With kParseNumbersAsStringsFlag: the number's text, parsed on its own
  // with full precision (the same value and type), except that a fraction
  // or exponent of zeros alone is ±0. RapidJSON 1.1's full-precision strtod
  // takes clz(0) there, undefined: `0e40` came out as -2.4e229.
  bool RawNumber(const char* s, rapidjson::SizeType n, bool /*copy*/) {
    if (zeroNonInteger(s, n)) return doc_.Double(s[0] == '-' ? -0.0 : 0.0);
    rapidjson::MemoryStream number(s, n);
    rapidjson::Reader reader;
    return !reader.Parse<rapidjson::kParseFullPrecisionFlag>(number, *this).IsError();
  }
  // A string holding 0xED may hold a lone low surrogate, which RapidJSON
  // 1.1.0 decodes from its \u escape into invalid UTF-8 (raw input bytes are
  // validated before): such strings get Go's U+FFFD, so the document is
  // valid UTF-8 whatever the escapes said.
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    if (!mayHoldSurrogate(s, n)) return doc_.String(s, n, copy);
    const std::string fixed = replaceInvalidUtf8({s, n});
    return doc_.String(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()), true);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (!mayHoldSurrogate(s, n)) return doc_.Key(s, n, copy);
    const std::string fixed = replaceInvalidUtf8({s, n});
    return doc_.Key(fixed.data(), static_cast<rapidjson::SizeType>(fixed.size()), true);
  }
  bool StartObject() { return enter() && doc_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndObject(n);
  }
  bool StartArray() { return enter() && doc_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return doc_.EndArray(n);
  }

  // Whether the parse stopped at the limit (then its ParseResult is an error too).
  bool tooDeep() const { return tooDeep_; }

 private:
  static bool mayHoldSurrogate(const char* s, rapidjson::SizeType n) {
    return n > 0 && std::memchr(s, 0xED, n) != nullptr;
  }

  // A number with a fraction or an exponent whose digits before the
  // exponent are all zeros ("0.00", "-0e40").
  static bool zeroNonInteger(const char* s, rapidjson::SizeType n) {
    bool nonInteger = false;
    for (rapidjson::SizeType i = 0; i < n; ++i) {
      if (s[i] == 'e' || s[i] == 'E') return true;
      if (s[i] == '.') {
        nonInteger = true;
      } else if (s[i] != '0' && s[i] != '-') {
        return false;
      }
    }
    return nonInteger;
  }

  bool enter() {
    if (++depth_ > maxDepth_) {
      tooDeep_ = true;
      return false;
    }
    return true;
  }

  rapidjson::Document& doc_;
  unsigned maxDepth_;
  unsigned depth_{0};
  bool tooDeep_{false};
};

struct DepthLimitedParse {
  rapidjson::ParseResult result;
  bool tooDeep{false};  // the error is the depth limit, not the syntax
};

// Parses `stream` into `doc` with RapidJSON's `Flags`, at most `maxDepth`
// levels deep. On an error `doc` holds whatever the failed parse left.
template <unsigned Flags, typename Stream>
DepthLimitedParse parseDepthLimited(rapidjson::Document& doc, Stream& stream, unsigned maxDepth) {
  DepthLimitedHandler handler(doc, maxDepth);
  rapidjson::Reader reader;
  DepthLimitedParse out;
  auto generate = [&](rapidjson::Document& /*doc, which the handler writes to*/) {
    out.result = reader.Parse<Flags>(stream, handler);
    out.tooDeep = handler.tooDeep();
    return !out.result.IsError();
  };
  doc.Populate(generate);
  return out;
}

}  // namespace irsa::util
