#include "oidc/Doctor.hpp"

#include <algorithm>

#include "oidc/Discovery.hpp"
#include "oidc/JwkSet.hpp"
#include "oidc/PodLints.hpp"
#include "oidc/PolicyEvaluator.hpp"

namespace irsa::oidc {
namespace {

constexpr std::string_view kHttps = "https://";

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& value : values) {
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out.empty() ? "(none)" : out;
}

Check failed(Check check, std::string detail, std::string stsError) {
  check.status = CheckStatus::kFail;
  check.details.push_back(std::move(detail));
  check.stsError = std::move(stsError);
  return check;
}

// The role's account must hold the provider: STS looks the provider up there.
std::optional<std::string> roleAccountMismatch(const std::optional<std::string>& roleArn,
                                               const ProviderArn& provider) {
  if (!roleArn) return std::nullopt;
  // arn:<partition>:iam::<account>:role/<name>
  const std::string prefix = "arn:" + provider.partition + ":iam::";
  if (!roleArn->starts_with(prefix) || roleArn->find(":role/") == std::string::npos) {
    return "role " + *roleArn + " is not an IAM role ARN of partition " + provider.partition;
  }
  const std::string account =
      roleArn->substr(prefix.size(), roleArn->find(':', prefix.size()) - prefix.size());
  if (account != provider.account) {
    return "role " + *roleArn + " is in account " + account + " but the provider is in " + provider.account +
           ": STS looks the provider up in the role's account";
  }
  return std::nullopt;
}

util::Result<Check> issuerCheck(const Jwt& jwt, const DoctorInput& input) {
  Check check{"issuer", CheckStatus::kPass, {}, {}};
  const std::string noProvider = std::string(sts::kNoProvider) + jwt.iss;
  if (!std::string_view(jwt.iss).starts_with(kHttps)) {
    return failed(check, "iss \"" + jwt.iss + "\" is not an https URL", noProvider);
  }
  const std::string hostPath = jwt.iss.substr(kHttps.size());
  if (hostPath != input.provider.issuerHostPath) {
    return failed(
        check,
        "iss " + jwt.iss + " is not the provider's URL https://" + input.provider.issuerHostPath +
            " (compared byte for byte: a trailing slash or another S3 URL style is another provider)",
        noProvider);
  }
  if (auto mismatch = roleAccountMismatch(input.roleArn, input.provider))
    return failed(check, *mismatch, noProvider);
  check.details.push_back("iss " + jwt.iss + " is the provider's URL");
  if (input.discovery) {
    auto discovery = parseDiscovery(*input.discovery);
    if (!discovery) return discovery.failure().within("--discovery");
    if (discovery->issuer != jwt.iss) {
      return failed(check, "the discovery document's issuer " + discovery->issuer + " is not the token's iss",
                    sts::kNoVerificationKey);
    }
    if (!std::string_view(discovery->jwksUri).starts_with(kHttps)) {
      return failed(check, "the discovery document's jwks_uri " + discovery->jwksUri + " is not https",
                    sts::kNoVerificationKey);
    }
    check.details.push_back("the discovery document names it, and its keys at " + discovery->jwksUri);
  }
  return check;
}

Check audienceCheck(const Jwt& jwt, const DoctorInput& input) {
  Check check{"audience", CheckStatus::kPass, {}, {}};
  for (const std::string& aud : jwt.aud) {
    if (std::find(input.clientIds.begin(), input.clientIds.end(), aud) != input.clientIds.end()) {
      check.details.push_back("aud " + aud + " is a client ID of the provider");
      return check;
    }
  }
  return failed(check,
                "aud [" + joined(jwt.aud) + "] has no client ID of the provider [" + joined(input.clientIds) +
                    "] (the ServiceAccount's audience annotation or the webhook's --token-audience)",
                sts::kIncorrectAudience);
}

Check signatureCheck(const Jwt& jwt, const std::vector<Jwk>& keys) {
  Check check{"signature", CheckStatus::kPass, {}, {}};
  const std::string kid = jwt.kid.value_or("");
  const auto key = std::find_if(keys.begin(), keys.end(), [&](const Jwk& jwk) { return jwk.kid == kid; });
  if (key == keys.end()) {
    std::vector<std::string> published;
    published.reserve(keys.size());
    for (const Jwk& jwk : keys)
      published.push_back(jwk.kid.empty() ? "\"\"" : jwk.kid);
    return failed(check,
                  (jwt.kid ? "kid " + kid : std::string("a token without a kid (a cluster before 1.16)")) +
                      " is not in the JWKS [" + joined(published) +
                      "]: a rotated signing key whose public half "
                      "is not published (publish old and new keys side by side)",
                  sts::kNoVerificationKey);
  }
  auto publicKey = keyOfJwk(*key);
  if (!publicKey)
    return failed(check, "the JWKS key " + kid + " is unusable: " + publicKey.error(),
                  sts::kNoVerificationKey);
  if (auto verified = verifyJwtSignature(jwt, publicKey->get()); !verified) {
    return failed(check,
                  "kid " + kid + " is published, but " + verified.error() +
                      " (a key of that kid with other material: a regenerated key under an old name?)",
                  sts::kNotValidated);
  }
  check.details.push_back(jwt.alg + " signature verifies with kid " + (kid.empty() ? "\"\"" : kid));
  return check;
}

Check timeCheck(const Jwt& jwt, std::chrono::system_clock::time_point now) {
  Check check{"time", CheckStatus::kPass, {}, {}};
  const std::int64_t current =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t skew = kStsClockSkew.count();
  if (!jwt.exp) return failed(check, "the token has no exp", sts::kNotValidated);
  if (current >= *jwt.exp + skew) {
    return failed(check,
                  "exp " + std::to_string(*jwt.exp) + " is " + std::to_string(current - *jwt.exp) +
                      " s ago, past IAM's 5-minute skew (is the kubelet refreshing the projected token?)",
                  std::string(sts::kExpired) + std::to_string(current) +
                      " must be before the expiration date/time " + std::to_string(*jwt.exp));
  }
  check.details.push_back(current < *jwt.exp ? "exp is in " + std::to_string(*jwt.exp - current) + " s"
                                             : "exp was " + std::to_string(current - *jwt.exp) +
                                                   " s ago, within IAM's 5-minute skew");
  auto warn = [&check](std::string text) {
    check.status = CheckStatus::kWarn;
    check.details.push_back(std::move(text));
  };
  if (jwt.nbf && *jwt.nbf > current + skew)
    warn("nbf is " + std::to_string(*jwt.nbf - current) + " s in the future");
  if (jwt.iat && *jwt.iat > current + skew)
    warn("iat is " + std::to_string(*jwt.iat - current) + " s in the future");
  const std::int64_t longest =
      std::chrono::duration_cast<std::chrono::seconds>(kLongestTokenLifetime).count();
  if (jwt.iat && *jwt.exp - *jwt.iat > longest) {
    warn("the token lives " + std::to_string(*jwt.exp - *jwt.iat) + " s, over 24 h, which STS may refuse");
  }
  return check;
}

Check trustPolicyCheck(const Evaluation& evaluation) {
  Check check{"trust policy", CheckStatus::kPass, {}, {}};
  for (const std::string& warning : evaluation.warnings)
    check.details.push_back("warning: " + warning);
  if (evaluation.decision == Decision::kAllow) {
    check.details.insert(check.details.begin(), evaluation.reasons.begin(), evaluation.reasons.end());
    if (!evaluation.warnings.empty()) check.status = CheckStatus::kWarn;
    return check;
  }
  check.status = CheckStatus::kFail;
  check.details.insert(check.details.begin(), evaluation.reasons.begin(), evaluation.reasons.end());
  check.stsError = sts::kNotAuthorized;
  return check;
}

Check podCheck(const DoctorInput& input) {
  Check check{"pod", CheckStatus::kSkip, {"no --pod given"}, {}};
  if (input.pod == nullptr) return check;
  check.details = lintPod(*input.pod, input.stsVpcEndpointRegions);
  check.status = check.details.empty() ? CheckStatus::kPass : CheckStatus::kWarn;
  if (check.details.empty()) check.details.emplace_back("no problem found");
  return check;
}

}  // namespace

std::string_view checkStatusName(CheckStatus status) {
  switch (status) {
    case CheckStatus::kPass:
      return "PASS";
    case CheckStatus::kFail:
      return "FAIL";
    case CheckStatus::kWarn:
      return "WARN";
    case CheckStatus::kSkip:
      return "SKIP";
  }
  return "?";
}

std::optional<std::string> DoctorReport::denial() const {
  for (const Check& check : checks) {
    if (check.status == CheckStatus::kFail) return check.stsError;
  }
  return std::nullopt;
}

util::Result<DoctorReport> runDoctor(const DoctorInput& input) {
  auto jwt = decodeJwt(input.token);
  if (!jwt) return jwt.failure().within("--token");
  auto keys = parseJwkSet(input.jwks);
  if (!keys) return keys.failure().within("--jwks");
  auto issuer = issuerCheck(*jwt, input);
  if (!issuer) return issuer.failure();
  auto evaluation = evaluateTrustPolicy(input.trustPolicy,
                                        webIdentityRequest(input.provider, jwt->sub, jwt->aud, jwt->amr));
  if (!evaluation) return evaluation.failure().within("--trust-policy");

  DoctorReport report;
  report.subject = jwt->sub;
  // STS's answer is the first check that fails, in this order.
  report.checks.push_back(std::move(*issuer));
  report.checks.push_back(audienceCheck(*jwt, input));
  report.checks.push_back(signatureCheck(*jwt, *keys));
  report.checks.push_back(timeCheck(*jwt, input.now));
  report.checks.push_back(trustPolicyCheck(*evaluation));
  report.checks.push_back(podCheck(input));
  return report;
}

}  // namespace irsa::oidc
