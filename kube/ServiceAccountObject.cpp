#include "kube/ServiceAccountObject.hpp"

#include "webhook/Json.hpp"

namespace irsa::kube {

using webhook::member;
using webhook::objectMember;
using webhook::stringMember;
using webhook::view;

util::Result<webhook::ServiceAccount> serviceAccountFromObject(const rapidjson::Value& object,
                                                               std::string_view prefix) {
  const rapidjson::Value* metadata = objectMember(object, "metadata");
  if (!metadata) return util::fail("ServiceAccount has no metadata");
  webhook::ServiceAccount sa;
  sa.name = std::string(stringMember(*metadata, "name"));
  if (sa.name.empty()) return util::fail("ServiceAccount has no metadata.name");
  sa.ns = std::string(stringMember(*metadata, "namespace"));
  if (sa.ns.empty()) sa.ns = "default";
  const rapidjson::Value* annotations = member(*metadata, "annotations");
  if (!annotations || annotations->IsNull()) return sa;
  if (!annotations->IsObject()) return util::fail(sa.key() + ": metadata.annotations must be a map");
  for (const auto& m : annotations->GetObject()) {
    const std::string_view key = view(m.name);
    if (key.size() <= prefix.size() || key.compare(0, prefix.size(), prefix) != 0 || key[prefix.size()] != '/') {
      continue;
    }
    if (!m.value.IsString()) {
      return util::fail(sa.key() + ": annotation \"" + std::string(key) + "\" must be a string");
    }
    sa.annotations.emplace_back(std::string(key), std::string(view(m.value)));
  }
  return sa;
}

bool isValidObjectName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  // Every dot-separated label starts and ends with a letter or digit.
  for (std::size_t start = 0;;) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !alnum(label.front()) || !alnum(label.back())) return false;
    for (char c : label) {
      if (!alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace irsa::kube
