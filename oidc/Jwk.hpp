#pragma once
// JSON Web Keys (RFC 7517/7518) for service-account signing keys: built from
// a public key as kube-apiserver publishes it at /openid/v1/jwks, and turned
// back into a key to verify a token's signature with.

#include <string>

#include "certs/OpenSslHandles.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

// One key's members, as text. Empty means absent, except `kid`, which a
// JWKS for pre-1.16 tokens publishes empty on purpose (hasKid says which).
struct Jwk {
  std::string use;  // "sig"
  std::string kty;  // "RSA" or "EC"
  std::string kid;
  bool hasKid{true};
  std::string crv;   // EC: "P-256", "P-384", "P-521"
  std::string alg;   // "RS256", "ES256", …
  std::string x, y;  // EC coordinates, base64url, padded to the curve's size (RFC 7518 §6.2.1.2)
  std::string n, e;  // RSA modulus and exponent, base64url, minimal big-endian (RFC 7518 §6.3.1)
};

// The JWK of a public (or private: only the public half is read) RSA or EC
// key, with kid = keyId(key), use "sig" and alg = signingAlgorithm(key).
util::Result<Jwk> jwkOfKey(EVP_PKEY* key);

// The public key a JWK describes. A point off its curve, a bad base64url
// member or a missing one is an error that names the member.
util::Result<certs::EvpPkeyPtr> keyOfJwk(const Jwk& jwk);

}  // namespace irsa::oidc
