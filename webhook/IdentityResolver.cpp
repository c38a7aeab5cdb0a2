#include "webhook/IdentityResolver.hpp"

#include "webhook/GoStrings.hpp"

namespace irsa::webhook {

const char* modeName(IdentityMode mode) {
  return mode == IdentityMode::kContainerCredentials ? "container_credentials" : "web_identity";
}

std::string partitionForRegion(std::string_view region) {
  auto startsWith = [&](std::string_view p) { return region.substr(0, p.size()) == p; };
  if (startsWith("cn-")) return "aws-cn";
  if (startsWith("us-gov-")) return "aws-us-gov";
  if (startsWith("us-isob-")) return "aws-iso-b";  // before "us-iso-", which it also starts with
  if (startsWith("us-iso-")) return "aws-iso";
  if (startsWith("eusc-")) return "aws-eusc";
  return "aws";
}

IdentityResolver::IdentityResolver(const MutationSettings& settings)
    : settings_(settings), keys_(settings.annotationPrefix) {}

std::string IdentityResolver::composeRoleArn(std::string_view role) const {
  // The reference expands any value that does not contain "arn:".
  if (!settings_.composeRoleArn || role.find("arn:") != std::string_view::npos) return std::string(role);
  const auto& c = *settings_.composeRoleArn;
  return "arn:" + c.partition + ":iam::" + c.account + ":role/" + std::string(role);
}

std::optional<std::string> IdentityResolver::roleArnOf(const ServiceAccount& sa) const {
  const auto role = sa.annotation(keys_.roleArn());
  if (!role || role->empty()) return std::nullopt;
  return composeRoleArn(*role);
}

void IdentityResolver::applyServiceAccountParameters(const ServiceAccount* sa, ResolvedIdentity& out) const {
  out.audience = settings_.tokenAudience;
  out.regionalSts = settings_.stsRegionalEndpoint;
  out.tokenExpiration = settings_.tokenExpiration;
  if (!sa) return;
  if (const auto aud = sa->annotation(keys_.audience())) out.audience = *aud;
  if (const auto sts = sa->annotation(keys_.stsRegionalEndpoints())) {
    if (auto parsed = goParseBool(*sts)) out.regionalSts = *parsed;  // invalid: keep the flag
  }
  if (const auto exp = sa->annotation(keys_.tokenExpiration())) {
    if (auto parsed = goParseInt(*exp)) out.tokenExpiration = clampTokenExpiration(*parsed);
  }
}

void IdentityResolver::applyConfigMapParameters(const ConfigMapEntry& entry, ResolvedIdentity& out) const {
  // A missing Audience means the flag's: the reference leaves it empty,
  // which STS rejects.
  out.audience = entry.audience.empty() ? settings_.tokenAudience : entry.audience;
  out.regionalSts = entry.useRegionalSts;
  out.tokenExpiration =
      entry.tokenExpiration == 0 ? settings_.tokenExpiration : clampTokenExpiration(entry.tokenExpiration);
}

std::optional<ResolvedIdentity> IdentityResolver::resolve(const IdentitySources& sources) const {
  const ServiceAccount* sa = sources.serviceAccount;
  const std::optional<std::string> annotatedRole = sa ? roleArnOf(*sa) : std::nullopt;

  if (sources.containerCredentials) {
    ResolvedIdentity id;
    id.mode = IdentityMode::kContainerCredentials;
    id.source = ResolvedIdentity::Source::kContainerCredentials;
    // Regional STS and expiration still come from the ServiceAccount (or the
    // ConfigMap when the ServiceAccount has no role of its own).
    if (!annotatedRole && sources.configMapEntry) {
      applyConfigMapParameters(*sources.configMapEntry, id);
    } else {
      applyServiceAccountParameters(sa, id);
    }
    id.audience = settings_.containerCredentials.audience;
    return id;
  }

  if (annotatedRole) {
    ResolvedIdentity id;
    id.mode = IdentityMode::kWebIdentity;
    id.source = ResolvedIdentity::Source::kServiceAccount;
    id.roleArn = *annotatedRole;
    applyServiceAccountParameters(sa, id);
    return id;
  }

  if (sources.configMapEntry) {
    ResolvedIdentity id;
    id.mode = IdentityMode::kWebIdentity;
    id.source = ResolvedIdentity::Source::kConfigMap;
    id.roleArn = composeRoleArn(sources.configMapEntry->roleArn);
    applyConfigMapParameters(*sources.configMapEntry, id);
    return id;
  }
  return std::nullopt;
}

}  // namespace irsa::webhook
