#include "webhook/ContainerCredentialsConfig.hpp"

#include "webhook/Json.hpp"

namespace irsa::webhook {

util::Result<ContainerCredentialsConfig> ContainerCredentialsConfig::parse(std::string_view json) {
  ContainerCredentialsConfig out;
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  rapidjson::Document doc;
  auto status = parseJson(doc, json, kDefaultMaxJsonDepth);
  if (!status) return util::fail(status.error());
  if (!doc.IsObject()) return util::fail("expected a JSON object with \"identities\"");
  const rapidjson::Value* identities = member(doc, "identities");
  if (!identities || identities->IsNull()) return out;
  if (!identities->IsArray()) return util::fail("\"identities\" must be an array");
  for (rapidjson::SizeType i = 0; i < identities->Size(); ++i) {
    const rapidjson::Value& id = (*identities)[i];
    const std::string_view ns = stringMember(id, "namespace");
    const std::string_view sa = stringMember(id, "serviceAccount");
    if (ns.empty() || sa.empty()) {
      return util::fail("identities[" + std::to_string(i) + "] needs \"namespace\" and \"serviceAccount\"");
    }
    out.keys_.insert(std::string(ns) + "/" + std::string(sa));
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
