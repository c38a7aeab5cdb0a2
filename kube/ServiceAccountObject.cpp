#include "kube/ServiceAccountObject.hpp"

#include <string>

#include "webhook/Annotations.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {
namespace {

using webhook::member;
using webhook::objectMember;
using webhook::view;

}  // namespace

util::Result<webhook::ServiceAccount> serviceAccountFromObject(const rapidjson::Value& object,
                                                               std::string_view prefix,
                                                               std::string_view where) {
  std::string saKey;  // "ns/name" once known, for error messages
  // An error prefixed with `where` and the ServiceAccount's key once known.
  const auto located = [&](const util::Error& error) {
    std::string context(where);
    if (!saKey.empty()) context += where.empty() ? saKey : " (" + saKey + ")";
    return context.empty() ? error : error.within(context);
  };
  const auto fail = [&](const std::string& message) { return located(util::fail(message)); };
  const rapidjson::Value* metadata = objectMember(object, "metadata");
  if (!metadata) return fail("ServiceAccount has no metadata.name");
  const auto name = optionalStringMember(*metadata, "name", "metadata.name");
  if (!name) return located(name.failure());
  if (name->empty()) return fail("ServiceAccount has no metadata.name");
  const auto ns = optionalStringMember(*metadata, "namespace", "metadata.namespace");
  if (!ns) return located(ns.failure());
  const std::string_view saNamespace = ns->empty() ? "default" : *ns;  // as kubectl apply does
  saKey.append(saNamespace).append("/").append(*name);

  const rapidjson::Value* annotations = member(*metadata, "annotations");
  if (!annotations || annotations->IsNull()) return webhook::ServiceAccount(saNamespace, *name);
  if (!annotations->IsObject()) {
    return fail(std::string("metadata.annotations must be a map, found ") + jsonTypeName(*annotations));
  }
  std::vector<webhook::ServiceAccount::Annotation> kept;
  for (const auto& m : annotations->GetObject()) {
    const std::string_view key = view(m.name);
    // The API server only takes strings; an unquoted `true` or `3600` in a
    // file is a mistake worth reporting rather than guessing.
    if (!m.value.IsString() && !m.value.IsNull()) {
      return fail("annotation \"" + std::string(key) + "\" must be a string, found " + jsonTypeName(m.value) +
                  " (quote the value)");
    }
    if (!webhook::isUnderAnnotationPrefix(key, prefix)) continue;
    kept.emplace_back(key, view(m.value));  // null reads as ""
  }
  return webhook::ServiceAccount(saNamespace, *name, kept);
}

util::Result<std::string_view> optionalStringMember(const rapidjson::Value& object, std::string_view name,
                                                    std::string_view label) {
  const rapidjson::Value* v = member(object, name);
  if (!v || v->IsNull()) return std::string_view();
  if (!v->IsString()) {
    return util::fail(std::string(label) + " must be a string, found " + jsonTypeName(*v) +
                      (v->IsBool() || v->IsNumber() ? " (quote the value)" : ""));
  }
  return view(*v);
}

const char* jsonTypeName(const rapidjson::Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsBool()) return "boolean";
  if (value.IsNumber()) return "number";
  if (value.IsString()) return "string";
  if (value.IsArray()) return "list";
  return "object";
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
