// libFuzzer target: what the self-managed toolkit reads from others, through
// the oidc/ functions `doctor`, `oidc` and `trust-policy` read it with. The
// first byte (mod 5) picks the input, the rest is its text:
//   0  a token (doctor --token)            oidc::decodeJwt, verifyJwtSignature
//   1  a JWKS (doctor --jwks, from-cluster) oidc::parseJwkSet, keyOfJwk, writeJwkSet
//   2  a trust policy                       oidc::evaluateTrustPolicy, addSubject, removeSubject
//   3  a discovery document                 oidc::parseDiscovery, writeDiscovery
//   4  a PEM key file (oidc jwks --key)     oidc::parsePublicKeys, jwkOfKey
// Invariants, each an abort: no sanitizer report; a decoded token's signing
// input is the token's first two parts; a JWKS written from parsed keys
// parses back to the same keys; adding a subject twice is adding it once, the
// result evaluates without error and removing it again parses; a key's JWK
// turns back into the same key.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "oidc/Discovery.hpp"
#include "oidc/Jwk.hpp"
#include "oidc/JwkSet.hpp"
#include "oidc/Jwt.hpp"
#include "oidc/PolicyEvaluator.hpp"
#include "oidc/PublicKeys.hpp"
#include "oidc/TrustPolicy.hpp"
#include "test/fuzz/FuzzCheck.hpp"

namespace {

using namespace irsa;
using fuzz::check;

constexpr std::string_view kProvider = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/c1";

const oidc::ProviderArn& provider() {
  static const oidc::ProviderArn arn = *oidc::parseProviderArn(kProvider);
  return arn;
}

// A key to verify fuzzed tokens with (a fresh P-256 key: no signature verifies).
EVP_PKEY* verifyKey() {
  static const certs::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  return key.get();
}

void token(std::string_view text) {
  auto jwt = oidc::decodeJwt(text);
  if (!jwt) return;
  check(jwt->alg != "none" && !jwt->alg.empty(), "a decoded token is signed");
  check(text.find(jwt->signingInput) != std::string_view::npos, "the signing input is in the token",
        jwt->signingInput);
  check(!oidc::verifyJwtSignature(*jwt, verifyKey()), "no fuzzed token verifies with a fresh key");
}

bool sameKeys(const std::vector<oidc::Jwk>& a, const std::vector<oidc::Jwk>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].kty != b[i].kty || a[i].kid != b[i].kid || a[i].n != b[i].n || a[i].e != b[i].e ||
        a[i].x != b[i].x || a[i].y != b[i].y || a[i].crv != b[i].crv || a[i].alg != b[i].alg ||
        a[i].use != b[i].use) {
      return false;
    }
  }
  return true;
}

void jwks(std::string_view text) {
  auto keys = oidc::parseJwkSet(text);
  if (!keys) return;
  for (const oidc::Jwk& jwk : *keys)
    (void)oidc::keyOfJwk(jwk);
  const std::string written = oidc::writeJwkSet(*keys, false);
  auto again = oidc::parseJwkSet(written);
  check(again.ok(), "a written JWKS parses", written);
  check(sameKeys(*keys, *again), "a written JWKS holds the same keys", written);
}

void trustPolicy(std::string_view text) {
  const auto request =
      oidc::webIdentityRequest(provider(), "system:serviceaccount:team-a:app", {"sts.amazonaws.com"});
  (void)oidc::evaluateTrustPolicy(text, request);
  for (const char* subjectText : {"team-a:app", "team-*:*"}) {
    const oidc::Subject subject = *oidc::parseSubject(subjectText);
    for (const std::optional<oidc::ProviderArn>& arn :
         {std::optional<oidc::ProviderArn>(), std::optional(provider())}) {
      auto added = oidc::addSubject(text, subject, arn);
      if (!added) continue;
      auto twice = oidc::addSubject(*added, subject, arn);
      check(twice.ok() && *twice == *added, "adding a subject twice is adding it once", *added);
      check(oidc::evaluateTrustPolicy(*added, request).ok(), "an edited policy is a policy", *added);
      (void)oidc::removeSubject(*added, subject, arn);
    }
  }
}

void discovery(std::string_view text) {
  auto doc = oidc::parseDiscovery(text);
  if (!doc) return;
  auto again = oidc::parseDiscovery(oidc::writeDiscovery(*doc));
  check(again.ok() && again->issuer == doc->issuer && again->jwksUri == doc->jwksUri,
        "a written discovery document keeps the issuer and jwks_uri");
}

void pem(std::string_view text) {
  auto keys = oidc::parsePublicKeys(text, "fuzz");
  if (!keys) return;
  for (const auto& key : *keys) {
    auto jwk = oidc::jwkOfKey(key.get());
    check(jwk.ok(), "a parsed key has a JWK", jwk ? "" : jwk.error());
    auto back = oidc::keyOfJwk(*jwk);
    check(back.ok() && EVP_PKEY_eq(back->get(), key.get()) == 1, "a key's JWK is the same key");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::quietLogs(4);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      token(text);
      break;
    case 1:
      jwks(text);
      break;
    case 2:
      trustPolicy(text);
      break;
    case 3:
      discovery(text);
      break;
    default:
      pem(text);
      break;
  }
  return 0;
}
