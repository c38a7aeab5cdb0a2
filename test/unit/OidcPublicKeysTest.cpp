// oidc/PublicKeys: every PEM form kube-apiserver's --service-account-key-file
// takes, the signing algorithm of each, and kube-apiserver's key ID.
#include <gtest/gtest.h>

#include <string>

#include "oidc/PublicKeys.hpp"
#include "test/support/OidcFixtures.hpp"

using irsa::oidc::keyId;
using irsa::oidc::parsePublicKeys;
using irsa::oidc::signingAlgorithm;
using irsa::testsupport::oidcFixture;

namespace {

// From the openssl CLI (test/fixtures/oidc/README.md).
constexpr const char* kRsaKid = "Ku-9KmhXutZjQo0UyD34foROe38u7NeXG76Ybd8XYJU";
constexpr const char* kP256Kid = "fE7taip_1fX3hE5YVNsFEtDV0jdo5lMSaNMaUACoEIU";

std::string onlyKid(const std::string& pem) {
  auto keys = parsePublicKeys(pem, "test");
  if (!keys) return "error: " + keys.error();
  if (keys->size() != 1) return "keys: " + std::to_string(keys->size());
  auto kid = keyId(keys->front().get());
  return kid ? *kid : "error: " + kid.error();
}

}  // namespace

TEST(OidcPublicKeys, EveryRsaEncodingGivesTheSameKeyId) {
  for (const char* file : {"rsa.pub", "rsa-pkcs1.pub", "rsa-pkcs1.key", "rsa-pkcs8.key", "rsa.crt"}) {
    EXPECT_EQ(onlyKid(oidcFixture(file)), kRsaKid) << file;
  }
}

TEST(OidcPublicKeys, EcKeyIdsAreOverTheUncompressedPoint) {
  EXPECT_EQ(onlyKid(oidcFixture("ec-p256.pub")), kP256Kid);
  EXPECT_EQ(onlyKid(oidcFixture("ec-p256.key")), kP256Kid);  // EC PARAMETERS block skipped
  EXPECT_EQ(onlyKid(oidcFixture("ec-p256-compressed.pub")), kP256Kid);
  EXPECT_EQ(onlyKid(oidcFixture("ec-p384.pub")), "w3vd8vF-aTVDTzaSTtot7hV_saKSfQx6c1YHmbXGmCc");
  EXPECT_EQ(onlyKid(oidcFixture("ec-p521.key")), "x3Cg1_jM2ZR-thTdl9xy6BKzEsWCuicw6LjWgsMil5M");
}

TEST(OidcPublicKeys, SigningAlgorithmFollowsTheKeyTypeAndCurve) {
  const std::pair<const char*, const char*> cases[] = {
      {"rsa.pub", "RS256"}, {"ec-p256.pub", "ES256"}, {"ec-p384.pub", "ES384"}, {"ec-p521.pub", "ES512"}};
  for (const auto& [file, alg] : cases) {
    auto keys = parsePublicKeys(oidcFixture(file), file);
    ASSERT_TRUE(keys) << keys.error();
    auto got = signingAlgorithm(keys->front().get());
    ASSERT_TRUE(got) << got.error();
    EXPECT_EQ(*got, alg) << file;
  }
}

TEST(OidcPublicKeys, SeveralKeysInOneFileComeInFileOrder) {
  auto keys = parsePublicKeys(oidcFixture("ec-p256.pub") + oidcFixture("rsa.pub"), "both");
  ASSERT_TRUE(keys) << keys.error();
  ASSERT_EQ(keys->size(), 2U);
  EXPECT_EQ(*keyId((*keys)[0].get()), kP256Kid);
  EXPECT_EQ(*keyId((*keys)[1].get()), kRsaKid);
}

TEST(OidcPublicKeys, PrivateKeysKeepOnlyTheirPublicHalf) {
  auto keys = parsePublicKeys(oidcFixture("rsa-pkcs1.key"), "key");
  ASSERT_TRUE(keys) << keys.error();
  BIGNUM* d = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(keys->front().get(), "d", &d), 0);
  BN_free(d);
}

TEST(OidcPublicKeys, RefusesWhatIsNotAUsableKey) {
  const std::pair<std::string, const char*> cases[] = {
      {"", "no PEM public or private key found in input"},
      {"just text\n", "no PEM public or private key found in input"},
      {oidcFixture("ed25519.key"), "ED25519 keys are not supported"},
      {oidcFixture("rsa-encrypted.key"), "encrypted keys are not supported"},
      // A certificate whose modulus the fuzzer shuffled: no signature could verify with it.
      {oidcFixture("rsa-bad-modulus.crt"), "fails its check: invalid modulus"},
      {"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", "(PUBLIC KEY #1): malformed key"},
      {"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n",
       "not a public key, private key or certificate"},
      {"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "invalid PEM block #1 in input"},
  };
  for (const auto& [pem, want] : cases) {
    auto keys = parsePublicKeys(pem, "input");
    ASSERT_FALSE(keys) << want;
    EXPECT_NE(keys.error().find(want), std::string::npos) << keys.error();
  }
}
