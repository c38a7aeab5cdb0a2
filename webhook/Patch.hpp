#pragma once
// An RFC 6902 JSON Patch made only of "add" operations, built with per-field
// paths on the raw object (STYLE.md rule 2). Values live in the patch's own
// allocator so a patch outlives the request it was planned from.

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace irsa::webhook {

struct PatchOperation {
  std::string path;
  rapidjson::Value value;
};

class Patch {
 public:
  Patch() = default;
  Patch(Patch&&) = default;
  Patch& operator=(Patch&&) = default;

  rapidjson::Document::AllocatorType& allocator() { return storage_.GetAllocator(); }

  void add(std::string path, rapidjson::Value&& value);
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  const std::vector<PatchOperation>& operations() const { return ops_; }

  template <typename Writer>
  void write(Writer& writer) const {
    writer.StartArray();
    for (const auto& op : ops_) {
      writer.StartObject();
      writer.Key("op");
      writer.String("add");
      writer.Key("path");
      writer.String(op.path.data(), static_cast<rapidjson::SizeType>(op.path.size()));
      writer.Key("value");
      op.value.Accept(writer);
      writer.EndObject();
    }
    writer.EndArray();
  }

  // The patch as a JSON array; "[]" when empty.
  std::string toJson() const;

 private:
  rapidjson::Document storage_;  // owns the allocator the values live in
  std::vector<PatchOperation> ops_;
};

// Appends "/" and `token` escaped per RFC 6901 ("~" -> "~0", "/" -> "~1").
void appendPointerToken(std::string& path, std::string_view token);

}  // namespace irsa::webhook
