#pragma once
// The identity inputs besides ServiceAccounts: the container-credentials
// list and the ConfigMap entries. Each is an immutable snapshot swapped
// atomically when its source changes, so requests read without locks.

#include <atomic>
#include <memory>

#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"
#include "webhook/IdentityInputs.hpp"

namespace irsa::server {

class IdentityConfig {
 public:
  using ContainerCredentials = std::shared_ptr<const webhook::ContainerCredentialsConfig>;
  using ConfigMap = std::shared_ptr<const webhook::ConfigMapIdentities>;

  ContainerCredentials containerCredentials() const { return containerCredentials_.load(); }
  void setContainerCredentials(ContainerCredentials c) { containerCredentials_.store(std::move(c)); }

  ConfigMap configMap() const { return configMap_.load(); }
  void setConfigMap(ConfigMap c) { configMap_.store(std::move(c)); }

  // Both snapshots, held for one request so that they stay alive while the
  // planner reads them through webhook::IdentityInputs.
  struct Snapshot {
    ContainerCredentials containerCredentials;
    ConfigMap configMap;
    webhook::IdentityInputs inputs() const { return {configMap.get(), containerCredentials.get()}; }
  };
  Snapshot snapshot() const { return {containerCredentials(), configMap()}; }

 private:
  std::atomic<ContainerCredentials> containerCredentials_;
  std::atomic<ConfigMap> configMap_;
};

}  // namespace irsa::server
