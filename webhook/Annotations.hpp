#pragma once
// The annotation and label names the webhook reads and writes, in one list
// (DESIGN.md "Mutation semantics"). All but the pod-identity label live
// under `--annotation-prefix`; AnnotationKeys spells out the full keys for a
// prefix once, when the resolver, the mutator or a ServiceAccount source is
// built, not per request. A new annotation goes here first.

#include <string>
#include <string_view>

namespace irsa::webhook {

inline constexpr std::string_view kDefaultAnnotationPrefix = "eks.amazonaws.com";

// Names under the prefix ("<prefix>/<name>"), and where they are read.
inline constexpr std::string_view kRoleArnAnnotation = "role-arn";   // ServiceAccount
inline constexpr std::string_view kAudienceAnnotation = "audience";  // ServiceAccount
inline constexpr std::string_view kStsRegionalEndpointsAnnotation =
    "sts-regional-endpoints";                                                       // ServiceAccount
inline constexpr std::string_view kTokenExpirationAnnotation = "token-expiration";  // ServiceAccount, pod
inline constexpr std::string_view kSkipContainersAnnotation = "skip-containers";    // pod

// Set on container-credentials pods. Not under the prefix: the reference
// writes this exact label whatever `--annotation-prefix` says.
inline constexpr std::string_view kPodIdentityLabel = "eks.amazonaws.com/pod-identity";
inline constexpr std::string_view kPodIdentityLabelValue = "enabled";

// Whether `key` is "<prefix>/<something>": the annotations a ServiceAccount
// source keeps (nothing else is ever read).
inline bool isUnderAnnotationPrefix(std::string_view key, std::string_view prefix) {
  return key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0 &&
         key[prefix.size()] == '/';
}

// The full keys for one prefix.
class AnnotationKeys {
 public:
  explicit AnnotationKeys(std::string_view prefix)
      : prefix_(prefix),
        roleArn_(key(kRoleArnAnnotation)),
        audience_(key(kAudienceAnnotation)),
        stsRegionalEndpoints_(key(kStsRegionalEndpointsAnnotation)),
        tokenExpiration_(key(kTokenExpirationAnnotation)),
        skipContainers_(key(kSkipContainersAnnotation)) {}

  const std::string& prefix() const { return prefix_; }
  const std::string& roleArn() const { return roleArn_; }
  const std::string& audience() const { return audience_; }
  const std::string& stsRegionalEndpoints() const { return stsRegionalEndpoints_; }
  const std::string& tokenExpiration() const { return tokenExpiration_; }
  const std::string& skipContainers() const { return skipContainers_; }

  bool isUnderPrefix(std::string_view key) const { return isUnderAnnotationPrefix(key, prefix_); }

 private:
  std::string key(std::string_view name) const { return prefix_ + "/" + std::string(name); }

  std::string prefix_;
  std::string roleArn_;
  std::string audience_;
  std::string stsRegionalEndpoints_;
  std::string tokenExpiration_;
  std::string skipContainers_;
};

}  // namespace irsa::webhook
