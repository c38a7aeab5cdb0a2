#pragma once
// `mutate`'s engine, shared with the fixture tests: load a pod and the
// identity inputs from files, run the same AdmissionPlanner the server runs.

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "util/Result.hpp"
#include "webhook/AdmissionPlanner.hpp"
#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"
#include "webhook/ServiceAccount.hpp"

namespace irsa::cli {

struct OfflineInputs {
  rapidjson::Document pod;
  std::string ns;  // request namespace
  std::string operation{"CREATE"};
  std::vector<webhook::ServiceAccount> serviceAccounts;
  std::optional<webhook::ConfigMapIdentities> configMap;
  std::optional<webhook::ContainerCredentialsConfig> containerCredentials;
};

struct OfflineResult {
  std::optional<webhook::ResolvedIdentity> identity;
  webhook::Patch patch;
  webhook::AnnotationIssues issues;  // what `serve` would warn about and count
  bool serviceAccountFound{false};
};

// Loads a Pod from a YAML/JSON file; fails unless it is exactly one Pod.
util::Result<rapidjson::Document> loadPod(const std::string& path);

// Loads ConfigMap `pod-identity-webhook` (YAML/JSON) and parses data.config
// as --watch-config-map does. (kube::ContainerCredentialsFile loads the
// container-credentials file, for `serve` too.)
util::Result<webhook::ConfigMapIdentities> loadConfigMap(const std::string& path,
                                                         std::vector<std::string>& warnings);

// The request namespace `mutate` uses: the flag, else the pod's, else default.
std::string requestNamespace(const rapidjson::Value& pod, const std::string& flag);

OfflineResult mutateOffline(const OfflineInputs& inputs, const webhook::AdmissionPlanner& planner,
                            webhook::RandomSource& random);

}  // namespace irsa::cli
