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

void IdentityResolver::applyServiceAccountParameters(const ServiceAccount* sa, ResolvedIdentity& out,
                                                     AnnotationIssues* issues) const {
  out.audience = settings_.tokenAudience;
  out.regionalSts = settings_.stsRegionalEndpoint;
  out.tokenExpiration = settings_.tokenExpiration;
  if (!sa) return;
  const auto report = [&](AnnotationIssue::Field field, std::string message) {
    if (issues) issues->push_back({field, std::move(message)});
  };
  if (const auto aud = sa->annotation(keys_.audience())) {
    if (auto problem = audienceProblem(*aud)) {
      report(AnnotationIssue::Field::kAudience, "Ignoring service account " + std::string(sa->key()) +
                                                    " invalid value for audience annotation: " + *problem);
    } else {
      out.audience = *aud;
    }
  }
  if (const auto sts = sa->annotation(keys_.stsRegionalEndpoints())) {
    if (auto parsed = goParseBool(*sts)) {
      out.regionalSts = *parsed;
    } else {  // the reference's words, annotation name included
      report(AnnotationIssue::Field::kStsRegionalEndpoints,
             "Ignoring service account " + std::string(sa->key()) +
                 " invalid value for disable-regional-sts annotation");
    }
  }
  if (const auto exp = sa->annotation(keys_.tokenExpiration())) {
    auto parsed = parseTokenExpiration(*exp);
    if (parsed.seconds) {
      out.tokenExpiration = *parsed.seconds;
    } else {
      report(AnnotationIssue::Field::kServiceAccountTokenExpiration,
             tokenExpirationMessage(out.tokenExpiration, parsed.error));
    }
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

std::optional<ResolvedIdentity> IdentityResolver::resolve(const IdentitySources& sources,
                                                          AnnotationIssues* issues) const {
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
      applyServiceAccountParameters(sa, id, issues);
    }
    id.audience = settings_.containerCredentials.audience;
    return id;
  }

  if (annotatedRole) {
    ResolvedIdentity id;
    id.mode = IdentityMode::kWebIdentity;
    id.source = ResolvedIdentity::Source::kServiceAccount;
    id.roleArn = *annotatedRole;
    // Still used, as by the reference: the pod gets the role it was given,
    // and STS says what is wrong with it.
    if (issues && !matchesRoleArnPattern(id.roleArn)) {
      issues->push_back({AnnotationIssue::Field::kRoleArn, "arn is invalid: " + id.roleArn});
    }
    applyServiceAccountParameters(sa, id, issues);
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
