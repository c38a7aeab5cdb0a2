#include "webhook/ContainerCredentialsConfig.hpp"

#include "webhook/GoStrings.hpp"
#include "webhook/Json.hpp"

namespace irsa::webhook {
namespace {

// The member encoding/json would decode into the struct field `field`: the
// last non-null one whose key matches case-insensitively. Null when none.
// Fails when a matching member has the wrong type, even an overwritten one,
// as Go's decoder does.
util::Result<const rapidjson::Value*> goField(const rapidjson::Value& object, std::string_view field,
                                              bool (rapidjson::Value::*isType)() const,
                                              const std::string& where) {
  const rapidjson::Value* found = nullptr;
  for (const auto& m : object.GetObject()) {
    if (!goJsonKeyMatches(view(m.name), field) || m.value.IsNull()) continue;
    if (!(m.value.*isType)()) return util::fail(where + "\"" + std::string(field) + "\" has the wrong type");
    found = &m.value;
  }
  return found;
}

}  // namespace

util::Result<ContainerCredentialsConfig> ContainerCredentialsConfig::parse(std::string_view json) {
  ContainerCredentialsConfig out;
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  rapidjson::Document doc;
  auto status = parseJson(doc, json, kDefaultMaxJsonDepth);
  if (!status) return status.failure();
  if (doc.IsNull()) return out;  // Go leaves the struct empty
  if (!doc.IsObject()) return util::fail("expected a JSON object with \"identities\"");
  auto identities = goField(doc, "identities", &rapidjson::Value::IsArray, "");
  if (!identities) return util::fail("\"identities\" must be an array");
  if (*identities == nullptr) return out;
  for (rapidjson::SizeType i = 0; i < (*identities)->Size(); ++i) {
    const rapidjson::Value& id = (**identities)[i];
    const std::string where = "identities[" + std::to_string(i) + "]";
    if (!id.IsObject())
      return util::fail(where + " must be an object with \"namespace\" and \"serviceAccount\"");
    auto ns = goField(id, "namespace", &rapidjson::Value::IsString, where + ": ");
    if (!ns) return ns.failure();
    auto sa = goField(id, "serviceAccount", &rapidjson::Value::IsString, where + ": ");
    if (!sa) return sa.failure();
    if (*ns == nullptr || *sa == nullptr || (*ns)->GetStringLength() == 0 || (*sa)->GetStringLength() == 0) {
      return util::fail(where + " needs \"namespace\" and \"serviceAccount\"");
    }
    out.keys_.insert(std::string(view(**ns)) + "/" + std::string(view(**sa)));
  }
  return out;
}

bool ContainerCredentialsConfig::contains(std::string_view ns, std::string_view name) const {
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).push_back('/');
  key.append(name);
  return keys_.count(key) > 0;
}

}  // namespace irsa::webhook
