// oidc/Jwt: decoding a compact JWS and verifying it as STS does, for every
// algorithm kube-apiserver signs service-account tokens with.
#include <gtest/gtest.h>

#include <string>

#include "oidc/Jwt.hpp"
#include "oidc/PublicKeys.hpp"
#include "test/support/OidcFixtures.hpp"
#include "webhook/Base64.hpp"

using irsa::oidc::decodeJwt;
using irsa::oidc::verifyJwtSignature;
using irsa::testsupport::fixtureKey;
using irsa::testsupport::signJwt;
using irsa::webhook::base64UrlEncode;

namespace {

constexpr const char* kClaims =
    R"({"aud":["sts.amazonaws.com"],"exp":1796353758,"iat":1796350158,"iss":"https://oidc.example.com",)"
    R"("kubernetes.io":{"namespace":"default"},"nbf":1796350158,"sub":"system:serviceaccount:default:app"})";

std::string header(const std::string& alg, const std::string& kid = "k1") {
  return R"({"alg":")" + alg + R"(","kid":")" + kid + R"("})";
}

}  // namespace

TEST(OidcJwt, DecodesTheClaimsStsReads) {
  auto key = fixtureKey("rsa-pkcs1.key");
  auto jwt = decodeJwt(signJwt(header("RS256"), kClaims, key.get(), "RS256") + "\n");
  ASSERT_TRUE(jwt) << jwt.error();
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, std::optional<std::string>("k1"));
  EXPECT_EQ(jwt->iss, "https://oidc.example.com");
  EXPECT_EQ(jwt->sub, "system:serviceaccount:default:app");
  EXPECT_EQ(jwt->aud, std::vector<std::string>{"sts.amazonaws.com"});
  EXPECT_EQ(jwt->exp, std::optional<std::int64_t>(1796353758));
  EXPECT_EQ(jwt->iat, std::optional<std::int64_t>(1796350158));
}

TEST(OidcJwt, AScalarAudienceAndNoKidAreAccepted) {
  auto key = fixtureKey("rsa-pkcs1.key");
  auto jwt = decodeJwt(
      signJwt(R"({"alg":"RS256"})", R"({"aud":"sts.amazonaws.com","exp":1.5e9})", key.get(), "RS256"));
  ASSERT_TRUE(jwt) << jwt.error();
  EXPECT_FALSE(jwt->kid.has_value());
  EXPECT_EQ(jwt->aud, std::vector<std::string>{"sts.amazonaws.com"});
  EXPECT_EQ(jwt->exp, std::optional<std::int64_t>(1500000000));
}

TEST(OidcJwt, EveryAlgorithmVerifiesWithItsKey) {
  const std::pair<const char*, const char*> cases[] = {{"rsa-pkcs1.key", "RS256"},
                                                       {"ec-p256.key", "ES256"},
                                                       {"ec-p384.key", "ES384"},
                                                       {"ec-p521.key", "ES512"}};
  for (const auto& [file, alg] : cases) {
    auto key = fixtureKey(file);
    auto jwt = decodeJwt(signJwt(header(alg), kClaims, key.get(), alg));
    ASSERT_TRUE(jwt) << jwt.error();
    auto verified = verifyJwtSignature(*jwt, key.get());
    EXPECT_TRUE(verified) << alg << ": " << verified.error();
  }
}

TEST(OidcJwt, AChangedClaimOrAnotherKeyFailsVerification) {
  auto key = fixtureKey("rsa-pkcs1.key");
  const std::string token = signJwt(header("RS256"), kClaims, key.get(), "RS256");
  // The same signature over other claims.
  const std::string forged = token.substr(0, token.find('.') + 1) +
                             base64UrlEncode(R"({"sub":"system:serviceaccount:kube-system:admin"})") +
                             token.substr(token.rfind('.'));
  auto jwt = decodeJwt(forged);
  ASSERT_TRUE(jwt) << jwt.error();
  EXPECT_EQ(verifyJwtSignature(*jwt, key.get()).error(), "the signature does not verify with this key");
  auto ec = fixtureKey("ec-p256.key");
  auto ecJwt = decodeJwt(signJwt(header("ES256"), kClaims, ec.get(), "ES256"));
  ASSERT_TRUE(ecJwt) << ecJwt.error();
  auto other = irsa::oidc::parsePublicKeys(irsa::testsupport::oidcFixture("ec-p384.pub"), "p384");
  ASSERT_TRUE(other) << other.error();
  EXPECT_NE(verifyJwtSignature(*ecJwt, other->front().get())
                .error()
                .find("the token says ES256 but the key signs ES384"),
            std::string::npos);
}

TEST(OidcJwt, TheAlgorithmMustBeTheKeys) {
  auto rsa = fixtureKey("rsa-pkcs1.key");
  // An RS256 signature presented as HS256 or ES256: never verified with the RSA key.
  const std::string token = signJwt(header("RS256"), kClaims, rsa.get(), "RS256");
  for (const char* alg : {"HS256", "ES256", "PS256"}) {
    const std::string relabelled = base64UrlEncode(header(alg)) + token.substr(token.find('.'));
    auto jwt = decodeJwt(relabelled);
    ASSERT_TRUE(jwt) << jwt.error();
    EXPECT_FALSE(verifyJwtSignature(*jwt, rsa.get())) << alg;
  }
}

TEST(OidcJwt, RefusesWhatIsNoSignedToken) {
  const std::string body = base64UrlEncode(kClaims);
  const std::pair<std::string, const char*> cases[] = {
      {"", "the token is empty"},
      {"abc", "not a JWT"},
      {"a.b.c.d", "not a JWT"},
      {base64UrlEncode(R"({"alg":"none"})") + "." + body + ".", "unsigned"},
      {base64UrlEncode(R"({"kid":"x"})") + "." + body + ".AA", "no \"alg\""},
      {base64UrlEncode("[]") + "." + body + ".AA", "header is not a JSON object"},
      {base64UrlEncode(R"({"alg":"RS256"})") + ".!!.AA", "payload is not base64url"},
      {base64UrlEncode(R"({"alg":"RS256"})") + "." + base64UrlEncode(R"({"aud":[1]})") + ".AA",
       "\"aud\" is not a string or a list of strings"},
      {base64UrlEncode(R"({"alg":"RS256"})") + "." + base64UrlEncode(R"({"exp":"soon"})") + ".AA",
       "\"exp\" is not a NumericDate"},
      {base64UrlEncode(R"({"alg":"RS256","kid":7})") + "." + body + ".AA", "\"kid\" is not a string"},
      {base64UrlEncode(R"({"alg":"RS256"})") + "." + body + ".A=", "signature is not base64url"},
      {std::string(irsa::oidc::kMaxTokenBytes + 1, 'a'), "larger than"},
  };
  for (const auto& [token, want] : cases) {
    auto jwt = decodeJwt(token);
    ASSERT_FALSE(jwt) << want;
    EXPECT_NE(jwt.error().find(want), std::string::npos) << jwt.error();
  }
}

TEST(OidcJwt, AnEcdsaSignatureOfTheWrongSizeIsRefused) {
  auto ec = fixtureKey("ec-p256.key");
  const std::string token = signJwt(header("ES256"), kClaims, ec.get(), "ES256");
  auto jwt = decodeJwt(token.substr(0, token.rfind('.')) + "." + base64UrlEncode(std::string(63, 'x')));
  ASSERT_TRUE(jwt) << jwt.error();
  EXPECT_NE(verifyJwtSignature(*jwt, ec.get()).error().find("is 63 bytes, not 64"), std::string::npos);
}
