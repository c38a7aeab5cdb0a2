#include "cli/MutationFlags.hpp"

#include "webhook/IdentityResolver.hpp"

namespace irsa::cli {

void addTokenShapeFlags(util::FlagSet& flags, webhook::MutationSettings& s) {
  flags.addString("annotation-prefix", &s.annotationPrefix,
                  "prefix of the ServiceAccount and pod annotations");
  flags.addString("token-audience", &s.tokenAudience, "default audience of the projected token");
  flags.addInt64("token-expiration", &s.tokenExpiration,
                 "default token lifetime in seconds (values below 600, 0 and negative ones too, mean 600)");
}

void addMutationFlags(util::FlagSet& flags, MutationFlags& parsed) {
  auto& s = parsed.settings;
  addTokenShapeFlags(flags, s);
  flags.addString("token-mount-path", &s.tokenMountPath, "where the token volume is mounted");
  flags.addString("aws-default-region", &s.awsDefaultRegion,
                  "if set, AWS_DEFAULT_REGION and AWS_REGION are added to containers");
  flags.addBool("sts-regional-endpoint", &s.stsRegionalEndpoint,
                "add AWS_STS_REGIONAL_ENDPOINTS=regional to containers");
  flags.addString("watch-container-credentials-config", &parsed.containerCredentialsFile,
                  "JSON file listing the ServiceAccounts that use container credentials (EKS Pod Identity)");
  auto& cc = s.containerCredentials;
  flags.addString("container-credentials-audience", &cc.audience,
                  "audience of the container-credentials token");
  flags.addString("container-credentials-token-mount-path", &cc.tokenMountPath,
                  "where the container-credentials token volume is mounted");
  flags.addString("container-credentials-token-volume-name", &cc.tokenVolumeName,
                  "name of the container-credentials token volume");
  flags.addString("container-credentials-token-path", &cc.tokenPath,
                  "file name of the container-credentials token in its volume");
  flags.addString("container-credentials-full-uri", &cc.fullUri,
                  "value of AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

util::Status validate(const MutationFlags& parsed) {
  const auto& s = parsed.settings;
  if (s.annotationPrefix.empty()) return util::fail("--annotation-prefix must not be empty");
  if (s.tokenMountPath.empty() || s.tokenMountPath.front() != '/') {
    return util::fail("--token-mount-path must be an absolute path");
  }
  if (s.containerCredentials.tokenMountPath.empty() || s.containerCredentials.tokenMountPath.front() != '/') {
    return util::fail("--container-credentials-token-mount-path must be an absolute path");
  }
  if (s.containerCredentials.tokenVolumeName.empty()) {
    return util::fail("--container-credentials-token-volume-name must not be empty");
  }
  // Kubernetes refuses expirationSeconds beyond 2^32: say so here, not per pod.
  if (s.tokenExpiration > (std::int64_t{1} << 32)) return util::fail("--token-expiration is too large");
  return util::okStatus();
}

webhook::MutationSettings effectiveSettings(const MutationFlags& parsed) {
  webhook::MutationSettings settings = parsed.settings;
  settings.tokenExpiration = webhook::clampTokenExpiration(settings.tokenExpiration);
  return settings;
}

}  // namespace irsa::cli
