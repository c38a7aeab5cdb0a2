#include "kube/ServiceAccountFile.hpp"

#include <string>
#include <unordered_map>
#include <utility>

#include "kube/ServiceAccountObject.hpp"
#include "webhook/Json.hpp"
#include "yaml/YamlJson.hpp"

namespace irsa::kube {
namespace {

using webhook::member;

// An optional string field; errors start with `where`.
util::Result<std::string_view> stringField(const rapidjson::Value& obj, const char* name,
                                           const std::string& where) {
  auto value = optionalStringMember(obj, name, name);
  if (!value) return value.failure().within(where);
  return value;
}

// apiVersion may be left out (a ServiceAccountList's items have none) but
// must not name another group or version.
util::Status checkApiVersion(const rapidjson::Value& obj, const std::string& where) {
  const auto apiVersion = stringField(obj, "apiVersion", where);
  if (!apiVersion) return apiVersion.failure();
  if (!apiVersion->empty() && *apiVersion != "v1") {
    return util::fail(where + ": apiVersion \"" + std::string(*apiVersion) + "\" is not v1");
  }
  return util::okStatus();
}

// The file's own checks (an object, of kind ServiceAccount and apiVersion v1
// when they are given); the rest is serviceAccountFromObject(), as for the
// API server's objects.
util::Result<webhook::ServiceAccount> readServiceAccount(const rapidjson::Value& v, std::string_view prefix,
                                                         const std::string& where) {
  if (!v.IsObject()) {
    return util::fail(where + ": expected a ServiceAccount object, found " + jsonTypeName(v));
  }
  const auto kind = stringField(v, "kind", where);
  if (!kind) return kind.failure();
  if (!kind->empty() && *kind != "ServiceAccount") {
    return util::fail(where + ": kind \"" + std::string(*kind) + "\" is not ServiceAccount");
  }
  if (auto status = checkApiVersion(v, where); !status) return status.failure();
  return serviceAccountFromObject(v, prefix, where);
}

// Keeps file order; a repeated namespace/name replaces the earlier entry.
class Collector {
 public:
  void add(webhook::ServiceAccount&& sa) {
    auto [it, inserted] = index_.try_emplace(std::string(sa.key()), accounts_.size());
    if (inserted) {
      accounts_.push_back(std::move(sa));
    } else {
      accounts_[it->second] = std::move(sa);
    }
  }
  std::vector<webhook::ServiceAccount> take() && { return std::move(accounts_); }

 private:
  std::vector<webhook::ServiceAccount> accounts_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace

util::Result<std::vector<webhook::ServiceAccount>> ServiceAccountFile::parse(
    std::string_view text, std::string_view annotationPrefix) {
  auto docs = yaml::YamlJson::parseAll(text);
  if (!docs) return docs.failure();
  return fromDocuments(*docs, annotationPrefix);
}

util::Result<std::vector<webhook::ServiceAccount>> ServiceAccountFile::load(
    const std::string& path, std::string_view annotationPrefix) {
  auto docs = yaml::YamlJson::readFile(path);  // its errors already name the file
  if (!docs) return docs.failure();
  auto accounts = fromDocuments(*docs, annotationPrefix);
  if (!accounts) return accounts.failure().within(path);
  return accounts;
}

util::Result<std::vector<webhook::ServiceAccount>> ServiceAccountFile::fromDocuments(
    const std::vector<rapidjson::Document>& docs, std::string_view annotationPrefix) {
  Collector collector;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const rapidjson::Value& doc = docs[i];
    const std::string where = "document " + std::to_string(i + 1);
    if (doc.IsNull()) continue;  // an empty document
    if (!doc.IsObject()) return util::fail(where + ": expected an object, found " + jsonTypeName(doc));
    const auto kind = stringField(doc, "kind", where);
    if (!kind) return kind.failure();
    if (kind->empty()) return util::fail(where + ": missing kind");

    if (*kind == "ServiceAccount") {
      auto sa = readServiceAccount(doc, annotationPrefix, where);
      if (!sa) return sa.failure();
      collector.add(std::move(*sa));
      continue;
    }
    if (*kind != "List" && *kind != "ServiceAccountList") {
      return util::fail(where + ": kind \"" + std::string(*kind) +
                        "\" is not ServiceAccount, ServiceAccountList or List");
    }
    if (auto status = checkApiVersion(doc, where); !status) return status.failure();
    const rapidjson::Value* items = member(doc, "items");
    if (items == nullptr || items->IsNull()) continue;
    if (!items->IsArray()) {
      return util::fail(where + " (" + std::string(*kind) + "): items must be a list, found " +
                        jsonTypeName(*items));
    }
    for (rapidjson::SizeType j = 0; j < items->Size(); ++j) {
      auto sa =
          readServiceAccount((*items)[j], annotationPrefix, where + ", items[" + std::to_string(j) + "]");
      if (!sa) return sa.failure();
      collector.add(std::move(*sa));
    }
  }
  return std::move(collector).take();
}

}  // namespace irsa::kube
