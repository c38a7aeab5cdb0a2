#pragma once
// The one way the project writes JSON text: RapidJSON's writers over a
// JsonBuffer, never over a plain rapidjson::StringBuffer.
//
// Why: RapidJSON 1.1.0 (Debian's) specializes Writer<StringBuffer> with an
// SSE2 scan, on in our Release builds, whose control-character test is
// "byte <= 0x19" (fixed upstream later): 0x1A-0x1F inside a string of 16
// bytes or more are copied unescaped, which is not JSON. A value from an
// annotation or a pod name could then break a patch, an AdmissionReview
// answer or a JSON log line. JsonBuffer is a type of its own, so the writers
// take RapidJSON's generic path, which escapes every byte by its table.
// scripts/lint.sh refuses writers over StringBuffer.

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace irsa::util {

class JsonBuffer : public rapidjson::StringBuffer {
 public:
  using rapidjson::StringBuffer::StringBuffer;
  std::string_view view() const { return {GetString(), GetSize()}; }
  std::string str() const { return std::string(GetString(), GetSize()); }
};

// Found by argument-dependent lookup before RapidJSON's generic templates
// (which would put byte by byte): the buffer's own fast paths.
inline void PutReserve(JsonBuffer& stream, std::size_t count) {
  stream.Reserve(count);
}
inline void PutUnsafe(JsonBuffer& stream, char c) {
  stream.PutUnsafe(c);
}

using JsonWriter = rapidjson::Writer<JsonBuffer>;
using JsonPrettyWriter = rapidjson::PrettyWriter<JsonBuffer>;

}  // namespace irsa::util
