#pragma once
// The identity inputs besides ServiceAccounts: the container-credentials
// list and the ConfigMap entries. Each is an immutable snapshot swapped
// atomically when its source changes, so requests read without locks.

#include <atomic>
#include <memory>
#include <string_view>

#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"

namespace irsa::server {

class IdentityConfig {
 public:
  using ContainerCredentials = std::shared_ptr<const webhook::ContainerCredentialsConfig>;
  using ConfigMap = std::shared_ptr<const webhook::ConfigMapIdentities>;

  ContainerCredentials containerCredentials() const { return containerCredentials_.load(); }
  void setContainerCredentials(ContainerCredentials c) { containerCredentials_.store(std::move(c)); }

  ConfigMap configMap() const { return configMap_.load(); }
  void setConfigMap(ConfigMap c) { configMap_.store(std::move(c)); }

  // Whether the container-credentials list or the ConfigMap names this
  // ServiceAccount, so that its pod has an identity without the object.
  // The reference answers such pods without waiting for the object.
  bool namesServiceAccount(std::string_view ns, std::string_view name) const {
    if (const auto c = containerCredentials(); c && c->contains(ns, name)) return true;
    const auto m = configMap();
    return m && m->find(ns, name) != nullptr;
  }

 private:
  std::atomic<ContainerCredentials> containerCredentials_;
  std::atomic<ConfigMap> configMap_;
};

}  // namespace irsa::server
