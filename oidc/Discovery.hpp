#pragma once
// The OIDC discovery document (`/.well-known/openid-configuration`) that an
// issuer publishes for STS: where its keys are and what it signs with.

#include <string>
#include <string_view>
#include <vector>

#include "util/Result.hpp"

namespace irsa::oidc {

struct DiscoveryDocument {
  std::string issuer;
  std::string jwksUri;
  std::vector<std::string> signingAlgorithms;  // id_token_signing_alg_values_supported
};

// `issuer` + "/keys.json": where SELF_HOSTED_SETUP.md-style buckets put the JWKS.
std::string defaultJwksUri(std::string_view issuer);

// The document with four-space indentation and a trailing newline, fields in
// the order of the reference's self-hosted guide: issuer, jwks_uri,
// authorization_endpoint (urn:kubernetes:programmatic_authorization),
// response_types_supported [id_token], subject_types_supported [public],
// id_token_signing_alg_values_supported (RS256 when none are given), and
// claims_supported [sub, iss].
std::string writeDiscovery(const DiscoveryDocument& document);

// The fields doctor and from-cluster read; the others are not needed and
// not checked. A missing or non-string issuer or jwks_uri is an error.
util::Result<DiscoveryDocument> parseDiscovery(std::string_view text);

}  // namespace irsa::oidc
