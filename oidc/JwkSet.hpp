#pragma once
// A JWK Set document (RFC 7517 §5), the `keys.json` that an OIDC issuer
// publishes at its jwks_uri and STS fetches to verify tokens.

#include <string>
#include <string_view>
#include <vector>

#include "oidc/Jwk.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

// Limits on what parseJwkSet reads: a JWKS is a few KiB.
inline constexpr unsigned kMaxJwkSetDepth = 16;

// `{"keys": [...]}` with four-space indentation and a trailing newline, each
// key's members in go-jose's order (use, kty, kid, crv, alg, x, y, n, e):
// for one RSA key, byte for byte what the reference's hack/self-hosted
// generator prints. With `legacyEmptyKid`, every key is repeated after the
// others with `"kid": ""`, which is how tokens from clusters before 1.16
// (unsigned by kid) still find their key.
std::string writeJwkSet(const std::vector<Jwk>& keys, bool legacyEmptyKid);

// The keys of a JWK Set. Members of a key that are not strings, or a "keys"
// that is not an array of objects, are errors; unknown members are ignored
// (RFC 7517 §4). A key of a type we cannot use is kept, for keyOfJwk to name.
util::Result<std::vector<Jwk>> parseJwkSet(std::string_view text);

}  // namespace irsa::oidc
