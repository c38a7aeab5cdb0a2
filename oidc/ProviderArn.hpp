#pragma once
// An IAM OIDC identity provider's ARN,
// `arn:<partition>:iam::<account>:oidc-provider/<issuer host[/path]>`: what a
// trust policy names in Principal.Federated, and where its condition keys
// (`<issuer host/path>:sub`, `:aud`) get their prefix.

#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::oidc {

struct ProviderArn {
  std::string partition;       // aws, aws-cn, aws-us-gov, …
  std::string account;         // 12 digits
  std::string issuerHostPath;  // the issuer URL without `https://`
  std::string text;            // the whole ARN, as given
};

// Refuses anything IAM would not have created for an OIDC provider, with a
// one-line reason that says what is expected.
util::Result<ProviderArn> parseProviderArn(std::string_view text);

// The condition key IAM exposes for a claim of this provider's tokens:
// `<issuer host/path>:<claim>` (claim "sub", "aud", "amr").
std::string conditionKey(const ProviderArn& provider, std::string_view claim);

}  // namespace irsa::oidc
