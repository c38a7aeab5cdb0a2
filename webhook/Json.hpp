#pragma once
// JSON parsing with a nesting-depth limit. RapidJSON's iterative parser keeps
// the C++ stack flat; the depth limit keeps everything that later walks the
// tree (writers, comparisons) safe from hostile input too.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::webhook {

inline constexpr unsigned kDefaultMaxJsonDepth = 100;

// Parses `text` (copied into the document's allocator).
util::Status parseJson(rapidjson::Document& doc, std::string_view text, unsigned maxDepth);

// Parses in place: `text` must be NUL-terminated and outlive `doc`; strings
// in the document point into it. This is the hot path's zero-copy variant.
// A text that is not ASCII (rare in a request) is validated and copied.
util::Status parseJsonInsitu(rapidjson::Document& doc, char* text, unsigned maxDepth);

// Small accessors that treat a wrong type like an absent member.
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name);
std::string_view stringMember(const rapidjson::Value& object, std::string_view name);
const rapidjson::Value* objectMember(const rapidjson::Value& object, std::string_view name);
const rapidjson::Value* arrayMember(const rapidjson::Value& object, std::string_view name);
inline std::string_view view(const rapidjson::Value& v) {
  return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
}

// Compact serialisation.
std::string toJson(const rapidjson::Value& value);

}  // namespace irsa::webhook
