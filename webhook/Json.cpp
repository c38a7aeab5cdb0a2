#include "webhook/Json.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <cstring>

#include "util/DepthLimitedHandler.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::webhook {
namespace {

// Up to this depth the recursive parser is used: the handler refuses to open
// a level past the limit before the parser recurses into it, so the stack
// holds at most this many levels of frames (well under a thread's stack).
// Deeper limits use the iterative parser, whose state lives on the heap.
constexpr unsigned kMaxRecursiveDepth = 512;

template <unsigned Flags, typename Stream>
util::Status parseWith(rapidjson::Document& doc, Stream& stream, unsigned maxDepth) {
  const auto [result, tooDeep] =
      maxDepth <= kMaxRecursiveDepth
          ? util::parseDepthLimited<Flags>(doc, stream, maxDepth)
          : util::parseDepthLimited<Flags | rapidjson::kParseIterativeFlag>(doc, stream, maxDepth);
  if (tooDeep) {
    doc.SetNull();
    return util::fail("JSON nested deeper than " + std::to_string(maxDepth) + " levels");
  }
  if (!result) {
    doc.SetNull();
    return util::fail(std::string("invalid JSON at offset ") + std::to_string(result.Offset()) + ": " +
                      rapidjson::GetParseError_En(result.Code()));
  }
  return util::okStatus();
}

// Plain ASCII is valid UTF-8. Checking that up front, eight bytes at a time,
// lets the common request skip RapidJSON's per-character UTF-8 validation,
// which also keeps it from its SIMD string scanning.
bool isAscii(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, text.data() + i, sizeof word);
    if (word & 0x8080808080808080ULL) return false;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) & 0x80) return false;
  }
  return true;
}

}  // namespace

util::Status parseJson(rapidjson::Document& doc, std::string_view text, unsigned maxDepth) {
  rapidjson::MemoryStream ms(text.data(), text.size());
  // Stop after the value so trailing garbage gets a clearer message below.
  constexpr unsigned kFlags = rapidjson::kParseStopWhenDoneFlag;
  auto status = isAscii(text) ? parseWith<kFlags>(doc, ms, maxDepth)
                              : parseWith<kFlags | rapidjson::kParseValidateEncodingFlag>(doc, ms, maxDepth);
  if (!status) return status;
  std::size_t pos = ms.Tell();
  while (pos < text.size() &&
         (text[pos] == ' ' || text[pos] == '\n' || text[pos] == '\r' || text[pos] == '\t')) {
    ++pos;
  }
  if (pos != text.size()) {
    doc.SetNull();
    return util::fail("invalid JSON at offset " + std::to_string(pos) + ": unexpected data after the value");
  }
  return util::okStatus();
}

util::Status parseJsonInsitu(rapidjson::Document& doc, char* text, unsigned maxDepth) {
  const std::string_view view(text);
  if (isAscii(view)) {
    rapidjson::InsituStringStream stream(text);
    return parseWith<rapidjson::kParseInsituFlag>(doc, stream, maxDepth);
  }
  // Not in place: RapidJSON's UTF-8 validation takes a multi-byte sequence's
  // continuation bytes without looking for the end, so an in-place parse of a
  // text ending in a truncated one reads, and writes, past its NUL. A
  // MemoryStream gives NULs at its end; the same reader, the same errors.
  rapidjson::MemoryStream stream(view.data(), view.size());
  return parseWith<rapidjson::kParseValidateEncodingFlag>(doc, stream, maxDepth);
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string_view stringMember(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  return v ? view(*v) : std::string_view();
}

const rapidjson::Value* objectMember(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  return v && v->IsObject() ? v : nullptr;
}

const rapidjson::Value* arrayMember(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* v = member(object, name);
  return v && v->IsArray() ? v : nullptr;
}

std::string toJson(const rapidjson::Value& value) {
  util::JsonBuffer buffer;
  util::JsonWriter writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace irsa::webhook
