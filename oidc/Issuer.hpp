#pragma once
// The service-account issuer URL as IAM and STS will see it. IAM registers
// an OIDC provider by host and path only, and STS looks a token's `iss` up
// by that text, byte for byte: an issuer the apiserver accepts can still be
// one STS never matches. validateIssuer says so before anyone uploads files.

#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::oidc {

// OK when `issuer` is `https://HOST[/PATH]` with no port, query, fragment,
// user info or trailing slash; else one line saying why STS would fail.
util::Status validateIssuer(std::string_view issuer);

// `issuer` without `https://`: the provider URL IAM keys condition names
// (`HOST/PATH:sub`) and provider ARNs with.
std::string issuerHostPath(std::string_view issuer);

}  // namespace irsa::oidc
