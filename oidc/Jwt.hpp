#pragma once
// A compact JWS (RFC 7515 §7.1) as a service-account token is: decoded into
// its header and claims, and its signature verified against one key. Only
// what STS checks is modelled; the token text itself is never logged or
// printed by anything that holds a Jwt.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "certs/OpenSslHandles.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

// Larger than any projected token (a few KiB) by far; a bound on hostile input.
inline constexpr std::size_t kMaxTokenBytes = 64 * 1024;

struct Jwt {
  // Header.
  std::string alg;
  std::optional<std::string> kid;  // absent in tokens from clusters before 1.16
  // Claims (RFC 7519 §4.1). `aud` is a string or a list in the token; a list here.
  std::string iss;
  std::string sub;
  std::vector<std::string> aud;
  std::optional<std::int64_t> exp, nbf, iat;
  std::vector<std::string> amr;
  // What the signature covers, and the signature's bytes.
  std::string signingInput;
  std::string signature;
};

// Splits and decodes `token` (surrounding whitespace, e.g. a file's final
// newline, is ignored). Refuses anything but three base64url parts with a
// JSON object header carrying a string "alg" other than "none", and a JSON
// object payload whose registered claims have their RFC 7519 types.
util::Result<Jwt> decodeJwt(std::string_view token);

// OK when `jwt.signature` is a valid `jwt.alg` signature by `key` over the
// signing input. The algorithm must be the key's (RS256 for RSA, ES256/384/512
// for the matching EC curve), so an RSA key never verifies an ES256 claim.
util::Status verifyJwtSignature(const Jwt& jwt, EVP_PKEY* key);

}  // namespace irsa::oidc
