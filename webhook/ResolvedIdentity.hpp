#pragma once
// What a pod's ServiceAccount resolves to, before the pod's own annotations
// are applied (those are read by the PodMutator).

#include <cstdint>
#include <string>

namespace irsa::webhook {

enum class IdentityMode {
  kWebIdentity,           // AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE
  kContainerCredentials,  // EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_FULL_URI
};

struct ResolvedIdentity {
  IdentityMode mode{IdentityMode::kWebIdentity};
  std::string roleArn;   // web identity only
  std::string audience;  // web identity only; container credentials use the flag
  bool regionalSts{false};
  std::int64_t tokenExpiration{0};  // ServiceAccount/ConfigMap level, already >= 600

  // Where the identity came from; for logs and metrics.
  enum class Source { kServiceAccount, kConfigMap, kContainerCredentials } source{Source::kServiceAccount};
};

const char* modeName(IdentityMode mode);

}  // namespace irsa::webhook
