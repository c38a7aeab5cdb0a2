#include "webhook/JsonPatchApplier.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "webhook/Json.hpp"

namespace irsa::webhook {
namespace {

util::Result<std::vector<std::string>> splitPointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') return util::fail("JSON pointer must start with '/': " + std::string(pointer));
  std::size_t i = 1;
  while (true) {
    std::size_t j = pointer.find('/', i);
    std::string_view raw = pointer.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    std::string token;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '~' && k + 1 < raw.size() && (raw[k + 1] == '0' || raw[k + 1] == '1')) {
        token.push_back(raw[k + 1] == '0' ? '~' : '/');
        ++k;
      } else if (raw[k] == '~') {
        return util::fail("bad escape in JSON pointer: " + std::string(pointer));
      } else {
        token.push_back(raw[k]);
      }
    }
    tokens.push_back(std::move(token));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return tokens;
}

util::Result<rapidjson::SizeType> arrayIndex(const std::string& token, rapidjson::SizeType size,
                                             bool allowEnd) {
  if (token == "-" && allowEnd) return size;
  if (token.empty() || (token.size() > 1 && token[0] == '0'))
    return util::fail("bad array index '" + token + "'");
  std::size_t idx = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return util::fail("bad array index '" + token + "'");
    idx = idx * 10 + static_cast<std::size_t>(c - '0');
    if (idx > size) return util::fail("array index " + token + " out of range");
  }
  if (idx > size || (!allowEnd && idx == size)) return util::fail("array index " + token + " out of range");
  return static_cast<rapidjson::SizeType>(idx);
}

rapidjson::Value* resolve(rapidjson::Value& root, const std::vector<std::string>& tokens, std::size_t count) {
  rapidjson::Value* cur = &root;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string& t = tokens[i];
    if (cur->IsObject()) {
      auto it = cur->FindMember(rapidjson::StringRef(t.data(), t.size()));
      if (it == cur->MemberEnd()) return nullptr;
      cur = &it->value;
    } else if (cur->IsArray()) {
      auto idx = arrayIndex(t, cur->Size(), false);
      if (!idx) return nullptr;
      cur = &(*cur)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

// One operation of the patch, its path split into tokens.
struct Operation {
  std::string_view name;
  std::string path;
  std::vector<std::string> tokens;
  const rapidjson::Value* value;  // nullptr when absent
};

util::Result<Operation> readOperation(const rapidjson::Value& op) {
  const std::string_view name = stringMember(op, "op");
  const rapidjson::Value* pathValue = member(op, "path");
  if (!pathValue || !pathValue->IsString()) return util::fail("patch operation without a path");
  std::string path(view(*pathValue));
  auto tokens = splitPointer(path);
  if (!tokens) return std::move(tokens).failure();
  const rapidjson::Value* value = member(op, "value");
  if ((name == "add" || name == "replace" || name == "test") && !value) {
    return util::fail("patch operation '" + std::string(name) + "' without a value at " + path);
  }
  return Operation{name, std::move(path), std::move(*tokens), value};
}

util::Status unsupported(const Operation& op) {
  return util::fail("unsupported patch operation '" + std::string(op.name) + "'");
}

// add, replace or remove the member `op.tokens.back()` of `parent`.
util::Status applyToObject(rapidjson::Value& parent, const Operation& op,
                           rapidjson::Document::AllocatorType& alloc) {
  const std::string& last = op.tokens.back();
  auto it = parent.FindMember(rapidjson::StringRef(last.data(), last.size()));
  if (op.name == "add") {
    rapidjson::Value copy(*op.value, alloc);
    if (it != parent.MemberEnd()) {
      it->value = std::move(copy);
    } else {
      parent.AddMember(rapidjson::Value(last.c_str(), alloc), copy, alloc);
    }
    return util::okStatus();
  }
  if (it == parent.MemberEnd()) return util::fail("path not found: " + op.path);
  if (op.name == "replace") {
    it->value.CopyFrom(*op.value, alloc);
  } else if (op.name == "remove") {
    parent.EraseMember(it);
  } else {
    return unsupported(op);
  }
  return util::okStatus();
}

// add (insert, or append at "-"), replace or remove the element `op.tokens.back()` of `parent`.
util::Status applyToArray(rapidjson::Value& parent, const Operation& op,
                          rapidjson::Document::AllocatorType& alloc) {
  auto idx = arrayIndex(op.tokens.back(), parent.Size(), op.name == "add");
  if (!idx) return util::fail(idx.error() + " at " + op.path);
  if (op.name == "add") {
    rapidjson::Value copy(*op.value, alloc);
    parent.PushBack(copy, alloc);
    // Rotate the appended element into place for an insert.
    for (rapidjson::SizeType k = parent.Size() - 1; k > *idx; --k)
      parent[k].Swap(parent[k - 1]);
  } else if (op.name == "replace") {
    parent[*idx].CopyFrom(*op.value, alloc);
  } else if (op.name == "remove") {
    parent.Erase(parent.Begin() + *idx);
  } else {
    return unsupported(op);
  }
  return util::okStatus();
}

util::Status applyOne(rapidjson::Document& doc, const rapidjson::Value& json) {
  auto op = readOperation(json);
  if (!op) return op.failure();
  if (op->tokens.empty()) {
    if (op->name == "add" || op->name == "replace") {
      doc.CopyFrom(*op->value, doc.GetAllocator());
      return util::okStatus();
    }
    return util::fail("unsupported operation on the document root");
  }
  rapidjson::Value* parent = resolve(doc, op->tokens, op->tokens.size() - 1);
  if (!parent) return util::fail("path not found: " + op->path);
  if (op->name == "test") {
    rapidjson::Value* target = resolve(doc, op->tokens, op->tokens.size());
    if (!target || *target != *op->value) return util::fail("test failed at " + op->path);
    return util::okStatus();
  }
  if (parent->IsObject()) return applyToObject(*parent, *op, doc.GetAllocator());
  if (parent->IsArray()) return applyToArray(*parent, *op, doc.GetAllocator());
  return util::fail("path parent is not a container: " + op->path);
}

}  // namespace

util::Status applyJsonPatch(rapidjson::Document& doc, const rapidjson::Value& operations) {
  if (!operations.IsArray()) return util::fail("a JSON patch must be an array");
  for (const auto& op : operations.GetArray()) {
    if (!op.IsObject()) return util::fail("a JSON patch operation must be an object");
    auto status = applyOne(doc, op);
    if (!status) return status;
  }
  return util::okStatus();
}

}  // namespace irsa::webhook
