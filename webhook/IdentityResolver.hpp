#pragma once
// Mode selection and ServiceAccount-level parameters (DESIGN.md "Mutation
// semantics"): container credentials > role-arn annotation > ConfigMap.

#include <optional>
#include <string>
#include <string_view>

#include "webhook/AnnotationValues.hpp"
#include "webhook/Annotations.hpp"
#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ResolvedIdentity.hpp"
#include "webhook/ServiceAccount.hpp"
#include "webhook/Settings.hpp"

namespace irsa::webhook {

// What the lookups found for one pod; any of them may be absent.
struct IdentitySources {
  const ServiceAccount* serviceAccount{nullptr};
  const ConfigMapEntry* configMapEntry{nullptr};
  bool containerCredentials{false};
};

// "aws", "aws-cn", … from a region name (for --compose-role-arn).
std::string partitionForRegion(std::string_view region);

// Values below the minimum become the minimum (the reference's rule).
inline std::int64_t clampTokenExpiration(std::int64_t seconds) {
  return seconds < kMinTokenExpiration ? kMinTokenExpiration : seconds;
}

class IdentityResolver {
 public:
  explicit IdentityResolver(const MutationSettings& settings);
  // It keeps a reference: the settings must outlive it.
  explicit IdentityResolver(MutationSettings&&) = delete;

  // Annotation values that break their rule (AnnotationValues.hpp) are
  // added to `issues` when it is given.
  std::optional<ResolvedIdentity> resolve(const IdentitySources& sources,
                                          AnnotationIssues* issues = nullptr) const;

  // The role the ServiceAccount's annotation names (composed if enabled),
  // or nullopt when it has none.
  std::optional<std::string> roleArnOf(const ServiceAccount& sa) const;

  // The web-identity parameters a ServiceAccount sets (audience, regional
  // STS, expiration over the flags), whether or not it has a role.
  ResolvedIdentity serviceAccountParameters(const ServiceAccount& sa) const {
    ResolvedIdentity out;
    applyServiceAccountParameters(&sa, out, nullptr);
    return out;
  }

 private:
  void applyServiceAccountParameters(const ServiceAccount* sa, ResolvedIdentity& out,
                                     AnnotationIssues* issues) const;
  void applyConfigMapParameters(const ConfigMapEntry& entry, ResolvedIdentity& out) const;
  std::string composeRoleArn(std::string_view role) const;

  const MutationSettings& settings_;
  const AnnotationKeys keys_;
};

}  // namespace irsa::webhook
