#pragma once
// `doctor`: what STS would answer to AssumeRoleWithWebIdentity for a token,
// worked out offline from the documents STS itself reads: the provider ARN
// (IAM), the discovery document and JWKS (the issuer), and the role's trust
// policy. Each check says PASS or FAIL and, for a FAIL, the error STS returns.
// Pure: the caller reads the files and gives the time.

#include <rapidjson/document.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "oidc/Jwt.hpp"
#include "oidc/ProviderArn.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

// IAM tolerates this much clock skew on `exp` (and doctor on `nbf`/`iat`).
inline constexpr std::chrono::seconds kStsClockSkew{300};
// Longer-lived tokens are refused by some STS regions; a warning.
inline constexpr std::chrono::hours kLongestTokenLifetime{24};

// STS's answers, as the SDKs print them ("<code>: <message>").
namespace sts {
inline constexpr const char* kNoProvider =
    "InvalidIdentityToken: No OpenIDConnect provider found in your account for ";
inline constexpr const char* kIncorrectAudience = "InvalidIdentityToken: Incorrect token audience";
inline constexpr const char* kNoVerificationKey =
    "InvalidIdentityToken: Couldn't retrieve verification key from your identity provider,  please reference "
    "AssumeRoleWithWebIdentity documentation for requirements";
inline constexpr const char* kNotValidated =
    "InvalidIdentityToken: The web identity token that was passed could not be validated by Amazon Web "
    "Services. Get a new "
    "identity token from the identity provider and then retry the request.";
inline constexpr const char* kExpired = "ExpiredTokenException: Token expired: current date/time ";
inline constexpr const char* kNotAuthorized =
    "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity";
}  // namespace sts

struct DoctorInput {
  std::string token;        // the JWT, as read from the token file
  std::string jwks;         // the issuer's keys.json
  std::string trustPolicy;  // the role's trust policy document
  ProviderArn provider;
  std::vector<std::string> clientIds{"sts.amazonaws.com"};  // the IAM provider's audiences
  std::optional<std::string> discovery;                     // /.well-known/openid-configuration
  std::optional<std::string> roleArn;                       // the role the pod assumes
  const rapidjson::Value* pod{nullptr};                     // the pod, for the lints
  std::vector<std::string> stsVpcEndpointRegions;           // for the lints
  std::chrono::system_clock::time_point now;
};

enum class CheckStatus { kPass, kFail, kWarn, kSkip };

struct Check {
  std::string name;  // "issuer", "audience", "signature", "time", "trust policy", "pod"
  CheckStatus status{CheckStatus::kPass};
  std::vector<std::string> details;  // what was compared, what failed, warnings
  std::string stsError;              // with kFail: what STS answers
};

struct DoctorReport {
  std::string subject;  // the token's sub, for the report's first line
  std::vector<Check> checks;
  // STS's answer: the first failed check's error, in the order STS checks.
  std::optional<std::string> denial() const;
};

// Fails for input that is no token, JWKS, policy or pod at all (exit 2);
// everything else is a check in the report.
util::Result<DoctorReport> runDoctor(const DoctorInput& input);

std::string_view checkStatusName(CheckStatus status);

}  // namespace irsa::oidc
