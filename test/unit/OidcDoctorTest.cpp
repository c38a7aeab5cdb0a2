// oidc/Doctor: each check, what it compares, and the STS error it predicts.
#include <gtest/gtest.h>

#include <string>

#include "oidc/Doctor.hpp"
#include "oidc/Jwk.hpp"
#include "oidc/JwkSet.hpp"
#include "oidc/TrustPolicy.hpp"
#include "test/support/OidcFixtures.hpp"

using irsa::oidc::CheckStatus;
using irsa::oidc::DoctorInput;
using irsa::oidc::DoctorReport;
namespace sts = irsa::oidc::sts;

namespace {

constexpr std::int64_t kIat = 1796350158;
constexpr std::int64_t kExp = kIat + 3600;
const std::string kArn = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/c1";

std::string claims(const std::string& iss = "https://oidc.example.com/c1",
                   const std::string& sub = "system:serviceaccount:team-a:app",
                   const std::string& aud = "sts.amazonaws.com", std::int64_t exp = kExp,
                   std::int64_t iat = kIat) {
  return R"({"aud":[")" + aud + R"("],"exp":)" + std::to_string(exp) + R"(,"iat":)" + std::to_string(iat) +
         R"(,"iss":")" + iss + R"(","nbf":)" + std::to_string(iat) + R"(,"sub":")" + sub + R"("})";
}

class OidcDoctor : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = irsa::testsupport::fixtureKey("rsa-pkcs1.key");
    auto jwk = irsa::oidc::jwkOfKey(key_.get());
    ASSERT_TRUE(jwk) << jwk.error();
    kid_ = jwk->kid;
    input_.jwks = irsa::oidc::writeJwkSet({*jwk}, false);
    auto provider = irsa::oidc::parseProviderArn(kArn);
    ASSERT_TRUE(provider) << provider.error();
    input_.provider = *provider;
    auto subject = irsa::oidc::parseSubject("team-a:app");
    ASSERT_TRUE(subject) << subject.error();
    input_.trustPolicy = irsa::oidc::createTrustPolicy(*provider, {*subject});
    input_.now = std::chrono::system_clock::time_point(std::chrono::seconds(kIat + 60));
    input_.token = token(claims());
  }

  std::string token(const std::string& payload, const std::string& kid = "") {
    return irsa::testsupport::signJwt(R"({"alg":"RS256","kid":")" + (kid.empty() ? kid_ : kid) + R"("})",
                                      payload, key_.get(), "RS256");
  }

  DoctorReport run() {
    auto report = irsa::oidc::runDoctor(input_);
    EXPECT_TRUE(report) << report.error();
    return report ? *report : DoctorReport{};
  }

  const irsa::oidc::Check& check(const DoctorReport& report, const std::string& name) {
    for (const auto& c : report.checks) {
      if (c.name == name) return c;
    }
    static const irsa::oidc::Check none{"missing", CheckStatus::kSkip, {}, {}};
    ADD_FAILURE() << "no check " << name;
    return none;
  }

  static std::string details(const irsa::oidc::Check& c) {
    std::string all;
    for (const auto& d : c.details)
      all += d + "\n";
    return all;
  }

  irsa::certs::EvpPkeyPtr key_;
  std::string kid_;
  DoctorInput input_;
};

}  // namespace

TEST_F(OidcDoctor, AMatchingTokenPassesEveryCheck) {
  const DoctorReport report = run();
  EXPECT_EQ(report.subject, "system:serviceaccount:team-a:app");
  for (const char* name : {"issuer", "audience", "signature", "time", "trust policy"}) {
    EXPECT_EQ(check(report, name).status, CheckStatus::kPass) << name << ": " << details(check(report, name));
  }
  EXPECT_EQ(check(report, "pod").status, CheckStatus::kSkip);
  EXPECT_FALSE(report.denial().has_value());
}

TEST_F(OidcDoctor, AnIssuerWithATrailingSlashHasNoProvider) {
  input_.token = token(claims("https://oidc.example.com/c1/"));
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "issuer").status, CheckStatus::kFail);
  EXPECT_NE(details(check(report, "issuer")).find("byte for byte"), std::string::npos);
  EXPECT_EQ(report.denial(), std::string(sts::kNoProvider) + "https://oidc.example.com/c1/");
}

TEST_F(OidcDoctor, ARoleInAnotherAccountHasNoProvider) {
  input_.roleArn = "arn:aws:iam::444455556666:role/app";
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "issuer").status, CheckStatus::kFail);
  EXPECT_NE(
      details(check(report, "issuer")).find("is in account 444455556666 but the provider is in 111122223333"),
      std::string::npos);
  input_.roleArn = "arn:aws:iam::111122223333:role/app";
  EXPECT_EQ(check(run(), "issuer").status, CheckStatus::kPass);
}

TEST_F(OidcDoctor, TheDiscoveryDocumentMustNameTheIssuerAndAnHttpsJwksUri) {
  input_.discovery =
      R"({"issuer":"https://oidc.example.com/c1","jwks_uri":"https://oidc.example.com/c1/keys.json"})";
  EXPECT_EQ(check(run(), "issuer").status, CheckStatus::kPass);
  input_.discovery =
      R"({"issuer":"https://oidc.example.com","jwks_uri":"https://oidc.example.com/keys.json"})";
  EXPECT_EQ(run().denial(), std::string(sts::kNoVerificationKey));
  input_.discovery =
      R"({"issuer":"https://oidc.example.com/c1","jwks_uri":"http://oidc.example.com/c1/keys.json"})";
  EXPECT_NE(details(check(run(), "issuer")).find("is not https"), std::string::npos);
}

TEST_F(OidcDoctor, AnAudienceThatIsNoClientIdIsIncorrect) {
  input_.token = token(claims("https://oidc.example.com/c1", "system:serviceaccount:team-a:app", "vault"));
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "audience").status, CheckStatus::kFail);
  EXPECT_EQ(report.denial(), std::string(sts::kIncorrectAudience));
  input_.clientIds = {"sts.amazonaws.com", "vault"};
  EXPECT_EQ(check(run(), "audience").status, CheckStatus::kPass);
}

TEST_F(OidcDoctor, AnUnknownKidIsARotatedKey) {
  input_.token = token(claims(), "old-key");
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "signature").status, CheckStatus::kFail);
  EXPECT_NE(details(check(report, "signature")).find("kid old-key is not in the JWKS [" + kid_ + "]"),
            std::string::npos)
      << details(check(report, "signature"));
  EXPECT_EQ(report.denial(), std::string(sts::kNoVerificationKey));
}

TEST_F(OidcDoctor, AKnownKidWithOtherKeyMaterialIsABadSignature) {
  auto other = irsa::testsupport::fixtureKey("ec-p256.key");
  auto jwk = irsa::oidc::jwkOfKey(other.get());
  ASSERT_TRUE(jwk) << jwk.error();
  jwk->kid = kid_;  // the same name, another key
  input_.jwks = irsa::oidc::writeJwkSet({*jwk}, false);
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "signature").status, CheckStatus::kFail);
  EXPECT_NE(details(check(report, "signature")).find("but the key signs ES256"), std::string::npos);
  EXPECT_EQ(report.denial(), std::string(sts::kNotValidated));
}

TEST_F(OidcDoctor, ATokenWithoutKidFindsTheLegacyEmptyKid) {
  auto jwk = irsa::oidc::jwkOfKey(key_.get());
  input_.jwks = irsa::oidc::writeJwkSet({*jwk}, true);
  input_.token = irsa::testsupport::signJwt(R"({"alg":"RS256"})", claims(), key_.get(), "RS256");
  EXPECT_EQ(check(run(), "signature").status, CheckStatus::kPass);
  input_.jwks = irsa::oidc::writeJwkSet({*jwk}, false);
  EXPECT_EQ(check(run(), "signature").status, CheckStatus::kFail);
}

TEST_F(OidcDoctor, ExpiryAllowsIamsFiveMinuteSkew) {
  input_.now = std::chrono::system_clock::time_point(std::chrono::seconds(kExp + 299));
  const DoctorReport within = run();
  EXPECT_EQ(check(within, "time").status, CheckStatus::kPass);
  EXPECT_NE(details(check(within, "time")).find("within IAM's 5-minute skew"), std::string::npos);
  input_.now = std::chrono::system_clock::time_point(std::chrono::seconds(kExp + 300));
  EXPECT_EQ(run().denial(), std::string(sts::kExpired) + std::to_string(kExp + 300) +
                                " must be before the expiration date/time " + std::to_string(kExp));
}

TEST_F(OidcDoctor, ATokenFromTheFutureOrLivingOverADayIsAWarning) {
  input_.now = std::chrono::system_clock::time_point(std::chrono::seconds(kIat - 1000));
  const DoctorReport early = run();
  EXPECT_EQ(check(early, "time").status, CheckStatus::kWarn);
  EXPECT_NE(details(check(early, "time")).find("iat is 1000 s in the future"), std::string::npos);
  EXPECT_FALSE(early.denial().has_value());
  input_.now = std::chrono::system_clock::time_point(std::chrono::seconds(kIat));
  input_.token = token(claims("https://oidc.example.com/c1", "system:serviceaccount:team-a:app",
                              "sts.amazonaws.com", kIat + 90000));
  EXPECT_NE(details(check(run(), "time")).find("over 24 h"), std::string::npos);
}

TEST_F(OidcDoctor, ATokenWithoutExpIsNotValid) {
  input_.token = token(R"({"aud":"sts.amazonaws.com","iss":"https://oidc.example.com/c1","sub":"x"})");
  EXPECT_EQ(check(run(), "time").status, CheckStatus::kFail);
}

TEST_F(OidcDoctor, AnotherServiceAccountIsNotAuthorizedAndTheReportSaysWhy) {
  input_.token = token(claims("https://oidc.example.com/c1", "system:serviceaccount:team-b:app"));
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "trust policy").status, CheckStatus::kFail);
  EXPECT_NE(details(check(report, "trust policy")).find("system:serviceaccount:team-b:app"),
            std::string::npos)
      << details(check(report, "trust policy"));
  EXPECT_EQ(report.denial(), std::string(sts::kNotAuthorized));
}

TEST_F(OidcDoctor, TheFirstFailureIsStsAnswer) {
  input_.token =
      token(claims("https://oidc.example.com/c1", "system:serviceaccount:team-b:app", "vault"), "gone");
  const DoctorReport report = run();
  EXPECT_EQ(check(report, "audience").status, CheckStatus::kFail);
  EXPECT_EQ(check(report, "signature").status, CheckStatus::kFail);
  EXPECT_EQ(check(report, "trust policy").status, CheckStatus::kFail);
  EXPECT_EQ(report.denial(), std::string(sts::kIncorrectAudience));
}

TEST_F(OidcDoctor, InputThatIsNoDocumentIsAnError) {
  for (auto change :
       {+[](DoctorInput& in) { in.token = "x.y"; }, +[](DoctorInput& in) { in.jwks = "{"; },
        +[](DoctorInput& in) { in.trustPolicy = "[]"; }, +[](DoctorInput& in) { in.discovery = "{}"; }}) {
    DoctorInput input = input_;
    change(input);
    EXPECT_FALSE(irsa::oidc::runDoctor(input));
  }
}
