#include "webhook/Patch.hpp"

#include "util/JsonWriter.hpp"

namespace irsa::webhook {

void Patch::add(std::string path, rapidjson::Value&& value) {
  ops_.push_back(PatchOperation{std::move(path), std::move(value)});
}

std::string Patch::toJson() const {
  util::JsonBuffer buffer;
  util::JsonWriter writer(buffer);
  write(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void appendPointerToken(std::string& path, std::string_view token) {
  path.push_back('/');
  for (char c : token) {
    if (c == '~') {
      path.append("~0");
    } else if (c == '/') {
      path.append("~1");
    } else {
      path.push_back(c);
    }
  }
}

}  // namespace irsa::webhook
