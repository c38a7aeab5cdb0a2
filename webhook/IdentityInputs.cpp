#include "webhook/IdentityInputs.hpp"

#include "webhook/Json.hpp"

namespace irsa::webhook {

util::Result<ConfigMapIdentities> configMapIdentitiesOf(const rapidjson::Value& configMap,
                                                        std::vector<std::string>& warnings) {
  const rapidjson::Value* data = objectMember(configMap, "data");
  const std::string_view config = data ? stringMember(*data, "config") : std::string_view();
  return ConfigMapIdentities::parse(config.empty() ? "{}" : config, warnings);
}

util::Result<ContainerCredentialsConfig> parseContainerCredentialsFile(std::string_view path,
                                                                       std::string_view text) {
  auto parsed = ContainerCredentialsConfig::parse(text);
  if (!parsed) return parsed.failure().within(path);
  return parsed;
}

bool IdentityInputs::namesServiceAccount(std::string_view ns, std::string_view name) const {
  if (containerCredentials && containerCredentials->contains(ns, name)) return true;
  return configMap && configMap->find(ns, name) != nullptr;
}

IdentitySources IdentityInputs::sourcesFor(std::string_view ns, std::string_view name,
                                           const ServiceAccount* serviceAccount) const {
  IdentitySources sources;
  sources.serviceAccount = serviceAccount;
  if (configMap) sources.configMapEntry = configMap->find(ns, name);
  sources.containerCredentials = containerCredentials && containerCredentials->contains(ns, name);
  return sources;
}

bool countsAsMissingServiceAccount(const IdentitySources& sources) {
  return !sources.serviceAccount && !sources.configMapEntry && !sources.containerCredentials;
}

}  // namespace irsa::webhook
