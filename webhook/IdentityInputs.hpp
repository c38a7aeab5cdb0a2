#pragma once
// The identity inputs of one pod, built for the planner in one way for
// `serve` (server/AdmissionHandler) and `mutate` (cli/OfflineMutation): the
// ServiceAccount, the ConfigMap entries and the container-credentials list.
// Pure: the callers read, watch and hold the inputs; this only parses what
// they read and picks out what names one ServiceAccount.

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/Result.hpp"
#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"
#include "webhook/IdentityResolver.hpp"
#include "webhook/ServiceAccount.hpp"

namespace irsa::webhook {

// ConfigMap pod-identity-webhook's data.config, from the object as the API
// server sends it or a file holds it. A missing or empty key means no
// entries. Entries that are skipped are described in `warnings`.
util::Result<ConfigMapIdentities> configMapIdentitiesOf(const rapidjson::Value& configMap,
                                                        std::vector<std::string>& warnings);

// The text of a --watch-container-credentials-config file. Errors start with
// the file's name, so `serve`'s log and `mutate`'s message say which file.
util::Result<ContainerCredentialsConfig> parseContainerCredentialsFile(std::string_view path,
                                                                       std::string_view text);

// The current ConfigMap entries and container-credentials list; null when
// that source is off. The caller keeps them alive while this is used.
struct IdentityInputs {
  const ConfigMapIdentities* configMap{nullptr};
  const ContainerCredentialsConfig* containerCredentials{nullptr};

  // Whether the ConfigMap or the container-credentials list names this
  // ServiceAccount, so that its pod has an identity without the object.
  // The reference answers such pods without waiting for the object.
  bool namesServiceAccount(std::string_view ns, std::string_view name) const;

  // What the planner resolves the pod's identity from; `serviceAccount` is
  // the object the lookup found, or null.
  IdentitySources sourcesFor(std::string_view ns, std::string_view name,
                             const ServiceAccount* serviceAccount) const;
};

// Whether pod_identity_webhook_missing_sa_count counts this pod, as the
// reference counts it: container credentials never look the ServiceAccount
// up, and a ConfigMap entry counts as found.
bool countsAsMissingServiceAccount(const IdentitySources& sources);

}  // namespace irsa::webhook
