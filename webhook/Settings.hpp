#pragma once
// Everything that shapes a mutation, parsed once from flags and passed by
// const& (STYLE.md rule 7). Defaults are the reference webhook's.

#include <cstdint>
#include <optional>
#include <string>

#include "webhook/Annotations.hpp"

namespace irsa::webhook {

inline constexpr std::int64_t kDefaultTokenExpiration = 86400;
inline constexpr std::int64_t kMinTokenExpiration = 600;
// Container-credentials tokens at the default lifetime are spread over the
// last two hours so a fleet's tokens do not all refresh at once.
inline constexpr std::int64_t kJitteredTokenExpirationMin = 79200;

struct ContainerCredentialsSettings {
  std::string audience{"pods.eks.amazonaws.com"};
  std::string tokenMountPath{"/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"};
  std::string tokenVolumeName{"eks-pod-identity-token"};
  std::string tokenPath{"eks-pod-identity-token"};
  std::string fullUri{"http://169.254.170.23/v1/credentials"};
};

// `--compose-role-arn`: the instance identity that expands a bare role name.
struct RoleArnComposition {
  std::string partition;  // derived from the region
  std::string account;
  std::string region;
};

struct MutationSettings {
  std::string annotationPrefix{kDefaultAnnotationPrefix};
  std::string tokenAudience{"sts.amazonaws.com"};
  std::string tokenMountPath{"/var/run/secrets/eks.amazonaws.com/serviceaccount"};
  std::int64_t tokenExpiration{kDefaultTokenExpiration};
  std::string awsDefaultRegion;
  bool stsRegionalEndpoint{false};
  ContainerCredentialsSettings containerCredentials;
  std::optional<RoleArnComposition> composeRoleArn;
};

// The web-identity volume's fixed names (the reference's).
inline constexpr const char* kWebIdentityVolumeName = "aws-iam-token";
inline constexpr const char* kWebIdentityTokenPath = "token";

}  // namespace irsa::webhook
