// oidc/Jwk and oidc/JwkSet: keys.json as kube-apiserver and the reference's
// hack/self-hosted generator write it, and back to keys that verify tokens.
#include <gtest/gtest.h>

#include <string>

#include "oidc/Jwk.hpp"
#include "oidc/JwkSet.hpp"
#include "oidc/PublicKeys.hpp"
#include "test/support/OidcFixtures.hpp"

using irsa::oidc::Jwk;
using irsa::oidc::jwkOfKey;
using irsa::oidc::keyOfJwk;
using irsa::oidc::parseJwkSet;
using irsa::oidc::parsePublicKeys;
using irsa::oidc::writeJwkSet;
using irsa::testsupport::oidcFixture;

namespace {

Jwk jwkOfFixture(const std::string& name) {
  auto keys = parsePublicKeys(oidcFixture(name), name);
  EXPECT_TRUE(keys) << keys.error();
  if (!keys) return {};
  auto jwk = jwkOfKey(keys->front().get());
  EXPECT_TRUE(jwk) << jwk.error();
  return jwk ? *jwk : Jwk{};
}

}  // namespace

TEST(OidcJwk, OneRsaKeyIsByteIdenticalToTheReferenceGenerator) {
  EXPECT_EQ(writeJwkSet({jwkOfFixture("rsa.pub")}, false), oidcFixture("rsa.keys.json"));
  // The private key publishes its public half, the same document.
  EXPECT_EQ(writeJwkSet({jwkOfFixture("rsa-pkcs1.key")}, false), oidcFixture("rsa.keys.json"));
}

TEST(OidcJwk, EcCoordinatesArePaddedToTheCurveSize) {
  const Jwk p256 = jwkOfFixture("ec-p256.pub");
  EXPECT_EQ(p256.kty, "EC");
  EXPECT_EQ(p256.crv, "P-256");
  EXPECT_EQ(p256.alg, "ES256");
  EXPECT_EQ(p256.x, "jJf3z4nNbfPltzB9KaxVhlA6HeL-YHvSzDTqLXfGv2A");
  EXPECT_EQ(p256.y, "Kt5_1XQEzuhJW9viKSf881rRhSawOIBsS7pgQdff7K8");
  EXPECT_TRUE(p256.n.empty() && p256.e.empty());
  const Jwk p521 = jwkOfFixture("ec-p521.pub");
  EXPECT_EQ(p521.crv, "P-521");
  EXPECT_EQ(p521.alg, "ES512");
  // 66 bytes each; y's first byte is zero, kept (RFC 7518 §6.2.1.3).
  EXPECT_EQ(p521.x,
            "AW95oTlii5V2DWaWyMe4IOrWM7BM_sGtltS0APqMb7kbRgSn4cOM7ia3HWSjh0KiIHvG25bvomLNrDpvk0YP0Sk3");
  EXPECT_EQ(p521.y,
            "AC-DoOWdjNX66h3TMgAXhwsfaGlAN3hWOX3r18_61YGrSi7V6fP5u7rNRyjvru43O8Cs2CeqKYGbCQ2G6aAKPgaX");
}

TEST(OidcJwk, EcMembersComeInGoJoseOrder) {
  const std::string text = writeJwkSet({jwkOfFixture("ec-p384.pub")}, false);
  const char* order[] = {"\"use\"", "\"kty\"", "\"kid\"", "\"crv\"", "\"alg\"", "\"x\"", "\"y\""};
  std::size_t at = 0;
  for (const char* member : order) {
    const std::size_t found = text.find(member, at);
    ASSERT_NE(found, std::string::npos) << member << " after offset " << at << " in\n" << text;
    at = found;
  }
  EXPECT_EQ(text.find("\"n\""), std::string::npos);
}

TEST(OidcJwk, LegacyEmptyKidRepeatsEveryKeyAfterTheOthers) {
  const Jwk rsa = jwkOfFixture("rsa.pub");
  const Jwk ec = jwkOfFixture("ec-p256.pub");
  auto keys = parseJwkSet(writeJwkSet({rsa, ec}, true));
  ASSERT_TRUE(keys) << keys.error();
  ASSERT_EQ(keys->size(), 4U);
  EXPECT_EQ((*keys)[0].kid, rsa.kid);
  EXPECT_EQ((*keys)[1].kid, ec.kid);
  EXPECT_EQ((*keys)[2].kid, "");
  EXPECT_TRUE((*keys)[2].hasKid);
  EXPECT_EQ((*keys)[2].n, rsa.n);
  EXPECT_EQ((*keys)[3].kid, "");
  EXPECT_EQ((*keys)[3].x, ec.x);
}

TEST(OidcJwk, EveryKeyRoundTripsThroughItsJwk) {
  for (const char* file : {"rsa.pub", "ec-p256.pub", "ec-p384.pub", "ec-p521.pub"}) {
    auto keys = parsePublicKeys(oidcFixture(file), file);
    ASSERT_TRUE(keys) << keys.error();
    auto parsed = parseJwkSet(writeJwkSet({jwkOfFixture(file)}, false));
    ASSERT_TRUE(parsed) << parsed.error();
    auto key = keyOfJwk(parsed->front());
    ASSERT_TRUE(key) << file << ": " << key.error();
    EXPECT_EQ(EVP_PKEY_eq(key->get(), keys->front().get()), 1) << file;
  }
}

TEST(OidcJwk, KeyOfJwkNamesWhatIsWrong) {
  Jwk ec = jwkOfFixture("ec-p256.pub");
  const std::pair<Jwk, const char*> cases[] = {
      {Jwk{.kty = "oct"}, "kty \"oct\" is not supported"},
      {Jwk{}, "has no \"kty\""},
      {Jwk{.kty = "RSA", .e = "AQAB"}, "has no \"n\""},
      {Jwk{.kty = "RSA", .n = "AQAB=", .e = "AQAB"}, "\"n\" is not base64url"},
      {Jwk{.kty = "EC", .crv = "P-192", .x = ec.x, .y = ec.y}, "curve \"P-192\""},
      {Jwk{.kty = "EC", .crv = "P-256", .x = ec.x, .y = ec.x}, "point is not on curve"},
      {Jwk{.kty = "EC", .crv = "P-256", .x = "AQAB", .y = ec.y}, "must be 32 bytes"},
  };
  for (const auto& [jwk, want] : cases) {
    auto key = keyOfJwk(jwk);
    ASSERT_FALSE(key) << want;
    EXPECT_NE(key.error().find(want), std::string::npos) << key.error();
  }
}

TEST(OidcJwkSet, ParsesTheMembersAndIgnoresUnknownOnes) {
  auto keys =
      parseJwkSet(R"({"keys":[{"kty":"RSA","kid":"a","n":"AQAB","e":"AQAB","x5t":"z"},{"kty":"EC"}]})");
  ASSERT_TRUE(keys) << keys.error();
  ASSERT_EQ(keys->size(), 2U);
  EXPECT_EQ((*keys)[0].kid, "a");
  EXPECT_EQ((*keys)[0].n, "AQAB");
  EXPECT_FALSE((*keys)[1].hasKid);
}

TEST(OidcJwkSet, RefusesAMalformedSet) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "invalid JSON"},
      {"[]", "a JSON object with \"keys\""},
      {"{}", "has no \"keys\""},
      {R"({"keys":{}})", "\"keys\" is not an array"},
      {R"({"keys":[1]})", "keys[0] is not an object"},
      {R"({"keys":[{"kty":"RSA"},{"kid":7}]})", "keys[1]: \"kid\" is not a string"},
      {R"({"keys":[]} x)", "unexpected data after the value"},
  };
  for (const auto& [text, want] : cases) {
    auto keys = parseJwkSet(text);
    ASSERT_FALSE(keys) << text;
    EXPECT_NE(keys.error().find(want), std::string::npos) << keys.error();
  }
}
