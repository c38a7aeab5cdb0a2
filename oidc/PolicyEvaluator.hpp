#pragma once
// A role trust policy decided as IAM decides it for
// sts:AssumeRoleWithWebIdentity, with the reasons a person needs when it
// denies: what failed in the Allow statements that came closest.

#include <string>
#include <string_view>
#include <vector>

#include "oidc/ConditionOperators.hpp"
#include "oidc/ProviderArn.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

enum class Decision { kAllow, kImplicitDeny, kExplicitDeny };
std::string_view decisionName(Decision decision);

struct WebIdentityRequest {
  std::string providerArn;  // the principal: Principal.Federated must name it
  RequestKeys keys;         // `<issuer>:sub`, `<issuer>:aud`, `<issuer>:amr`, …
};

// The request STS evaluates for a token of `provider`.
WebIdentityRequest webIdentityRequest(const ProviderArn& provider, std::string sub,
                                      std::vector<std::string> audiences, std::vector<std::string> amr = {});

struct Evaluation {
  Decision decision{Decision::kImplicitDeny};
  // Allow / explicit deny: the statement that decided. Implicit deny: each
  // failure of the closest Allow statements, `statement N: <what failed>`.
  std::vector<std::string> reasons;
  // Passes that are likely mistakes (ForAllValues or a negated operator on an
  // absent key) and what IAM would refuse, for every statement that names
  // this principal and action.
  std::vector<std::string> warnings;
};

// Fails only for a text that is no policy (not JSON, not an object, no Statement).
util::Result<Evaluation> evaluateTrustPolicy(std::string_view policy, const WebIdentityRequest& request);

}  // namespace irsa::oidc
