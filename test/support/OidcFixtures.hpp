#pragma once
// The oidc/ tests' key fixtures (test/fixtures/oidc), and JWTs signed with
// them (RS256, or ES256/384/512 for the matching EC curve), as kube-apiserver
// signs service-account tokens.

#include <string>

#include "certs/OpenSslHandles.hpp"

namespace irsa::testsupport {

// test/fixtures/oidc/<name>, and its contents.
std::string oidcFixturePath(const std::string& name);
std::string oidcFixture(const std::string& name);

// The private key in the PEM file test/fixtures/oidc/<name>.
certs::EvpPkeyPtr fixtureKey(const std::string& name);

// header.payload.signature: `headerJson` and `payloadJson` as given, signed
// with `alg` by `key` (ECDSA signatures as JWS's r || s).
std::string signJwt(const std::string& headerJson, const std::string& payloadJson, EVP_PKEY* key,
                    const std::string& alg);

}  // namespace irsa::testsupport
