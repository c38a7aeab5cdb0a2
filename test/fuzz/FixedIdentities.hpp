#pragma once
// The identity inputs the admission and HTTP targets mutate with: a fixed
// set of ServiceAccounts, ConfigMap entries and container-credentials
// entries, so that fuzzed pods naming them get every kind of identity. The
// seeds (make-seeds.py) name the same ServiceAccounts.
//
//   default/default       role-arn only
//   default/full          role-arn, audience, regional STS, token-expiration
//   default/bare          a ServiceAccount without annotations: no identity
//   default/pod-identity  container credentials (and no ServiceAccount)
//   default/both          container credentials and a role-arn: container credentials win
//   cm/app                ConfigMap entry "cm/app"
//   any namespace/wild    ConfigMap entry "*/wild"

#include <string_view>
#include <vector>

#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"
#include "webhook/IdentityInputs.hpp"
#include "webhook/ServiceAccount.hpp"
#include "webhook/Settings.hpp"

namespace irsa::fuzz {

class FixedIdentities {
 public:
  FixedIdentities();

  const webhook::MutationSettings& settings() const { return settings_; }
  const webhook::ServiceAccount* find(std::string_view ns, std::string_view name) const;
  const std::vector<webhook::ServiceAccount>& serviceAccounts() const { return serviceAccounts_; }
  webhook::IdentityInputs inputs() const { return {&configMap_, &containerCredentials_}; }
  const webhook::ConfigMapIdentities& configMap() const { return configMap_; }
  const webhook::ContainerCredentialsConfig& containerCredentials() const { return containerCredentials_; }

 private:
  webhook::MutationSettings settings_;
  std::vector<webhook::ServiceAccount> serviceAccounts_;
  webhook::ConfigMapIdentities configMap_;
  webhook::ContainerCredentialsConfig containerCredentials_;
};

}  // namespace irsa::fuzz
