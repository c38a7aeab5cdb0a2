#include "kube/ServiceAccountFile.hpp"

#include <optional>
#include <unordered_map>
#include <utility>

#include "kube/YamlJson.hpp"

namespace irsa::kube {
namespace {

using Error = std::optional<std::string>;

std::string_view str(const rapidjson::Value& v) {
  return {v.GetString(), v.GetStringLength()};
}

const char* typeName(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "boolean";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsArray()) return "list";
  return "object";
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// An optional string field: absent or null reads as "". `label` names it in
// errors ("metadata.namespace").
Error stringField(const rapidjson::Value& obj, const char* name, const std::string& where,
                  std::string_view& out, const char* label = nullptr) {
  out = {};
  const rapidjson::Value* v = member(obj, name);
  if (v == nullptr || v->IsNull()) return std::nullopt;
  if (!v->IsString()) {
    return where + ": " + (label ? label : name) + " must be a string, found " + typeName(*v) +
           (v->IsBool() || v->IsNumber() ? " (quote the value)" : "");
  }
  out = str(*v);
  return std::nullopt;
}

// apiVersion may be left out (a ServiceAccountList's items have none) but
// must not name another group or version.
Error checkApiVersion(const rapidjson::Value& obj, const std::string& where) {
  std::string_view apiVersion;
  if (auto err = stringField(obj, "apiVersion", where, apiVersion)) return err;
  if (!apiVersion.empty() && apiVersion != "v1") {
    return where + ": apiVersion \"" + std::string(apiVersion) + "\" is not v1";
  }
  return std::nullopt;
}

bool underPrefix(std::string_view key, std::string_view prefix) {
  return key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
         key[prefix.size()] == '/';
}

Error readServiceAccount(const rapidjson::Value& v, std::string_view prefix, const std::string& where,
                         webhook::ServiceAccount& sa) {
  if (!v.IsObject()) return where + ": expected a ServiceAccount object, found " + typeName(v);
  std::string_view kind;
  if (auto err = stringField(v, "kind", where, kind)) return err;
  if (!kind.empty() && kind != "ServiceAccount") {
    return where + ": kind \"" + std::string(kind) + "\" is not ServiceAccount";
  }
  if (auto err = checkApiVersion(v, where)) return err;

  const rapidjson::Value* metadata = member(v, "metadata");
  if (metadata == nullptr || !metadata->IsObject()) return where + ": ServiceAccount has no metadata.name";
  std::string_view name, ns;
  if (auto err = stringField(*metadata, "name", where, name, "metadata.name")) return err;
  if (name.empty()) return where + ": ServiceAccount has no metadata.name";
  if (auto err = stringField(*metadata, "namespace", where, ns, "metadata.namespace")) return err;
  sa.name = std::string(name);
  sa.ns = ns.empty() ? "default" : std::string(ns);  // as kubectl apply does
  sa.annotations.clear();

  const rapidjson::Value* annotations = member(*metadata, "annotations");
  if (annotations == nullptr || annotations->IsNull()) return std::nullopt;
  if (!annotations->IsObject()) {
    return where + " (" + sa.key() + "): metadata.annotations must be a map, found " + typeName(*annotations);
  }
  for (auto m = annotations->MemberBegin(); m != annotations->MemberEnd(); ++m) {
    // The API server only takes strings; an unquoted `true` or `3600` here is
    // a mistake worth reporting rather than guessing.
    if (!m->value.IsString() && !m->value.IsNull()) {
      return where + " (" + sa.key() + "): annotation \"" + std::string(str(m->name)) +
             "\" must be a string, found " + typeName(m->value) + " (quote the value)";
    }
    if (!underPrefix(str(m->name), prefix)) continue;
    sa.annotations.emplace_back(std::string(str(m->name)),
                                m->value.IsNull() ? std::string() : std::string(str(m->value)));
  }
  return std::nullopt;
}

// Keeps file order; a repeated namespace/name replaces the earlier entry.
class Collector {
 public:
  void add(webhook::ServiceAccount&& sa) {
    auto [it, inserted] = index_.try_emplace(sa.key(), accounts_.size());
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
  auto docs = YamlJson::parseAll(text);
  if (!docs) return util::fail(docs.error());
  return fromDocuments(*docs, annotationPrefix);
}

util::Result<std::vector<webhook::ServiceAccount>> ServiceAccountFile::load(
    const std::string& path, std::string_view annotationPrefix) {
  auto docs = YamlJson::readFile(path);  // its errors already name the file
  if (!docs) return util::fail(docs.error());
  auto accounts = fromDocuments(*docs, annotationPrefix);
  if (!accounts) return util::fail(path + ": " + accounts.error());
  return accounts;
}

util::Result<std::vector<webhook::ServiceAccount>> ServiceAccountFile::fromDocuments(
    const std::vector<rapidjson::Document>& docs, std::string_view annotationPrefix) {
  Collector collector;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const rapidjson::Value& doc = docs[i];
    const std::string where = "document " + std::to_string(i + 1);
    if (doc.IsNull()) continue;  // an empty document
    if (!doc.IsObject()) return util::fail(where + ": expected an object, found " + typeName(doc));
    std::string_view kind;
    if (auto err = stringField(doc, "kind", where, kind)) return util::fail(*err);
    if (kind.empty()) return util::fail(where + ": missing kind");

    if (kind == "ServiceAccount") {
      webhook::ServiceAccount sa;
      if (auto err = readServiceAccount(doc, annotationPrefix, where, sa)) return util::fail(*err);
      collector.add(std::move(sa));
      continue;
    }
    if (kind != "List" && kind != "ServiceAccountList") {
      return util::fail(where + ": kind \"" + std::string(kind) +
                        "\" is not ServiceAccount, ServiceAccountList or List");
    }
    if (auto err = checkApiVersion(doc, where)) return util::fail(*err);
    const rapidjson::Value* items = member(doc, "items");
    if (items == nullptr || items->IsNull()) continue;
    if (!items->IsArray()) {
      return util::fail(where + " (" + std::string(kind) + "): items must be a list, found " +
                        typeName(*items));
    }
    for (rapidjson::SizeType j = 0; j < items->Size(); ++j) {
      webhook::ServiceAccount sa;
      const std::string itemWhere = where + ", items[" + std::to_string(j) + "]";
      if (auto err = readServiceAccount((*items)[j], annotationPrefix, itemWhere, sa))
        return util::fail(*err);
      collector.add(std::move(sa));
    }
  }
  return std::move(collector).take();
}

}  // namespace irsa::kube
