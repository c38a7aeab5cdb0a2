// `irsa-webhook doctor` through the binary: exit 0 allowed, 1 denied, 2 bad
// input with one line on stderr, and the token never printed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "oidc/Jwk.hpp"
#include "oidc/JwkSet.hpp"
#include "test/support/CliRun.hpp"
#include "test/support/OidcFixtures.hpp"
#include "test/support/TempDir.hpp"

using irsa::testsupport::CliResult;

namespace {

const std::string kArn = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com";
constexpr const char* kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example.com"},)"
    R"("Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{)"
    R"("oidc.example.com:sub":"system:serviceaccount:default:app"}}}]})";

class CliDoctorCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = irsa::testsupport::fixtureKey("rsa-pkcs1.key");
    auto jwk = irsa::oidc::jwkOfKey(key.get());
    ASSERT_TRUE(jwk) << jwk.error();
    token_ = irsa::testsupport::signJwt(
        R"({"alg":"RS256","kid":")" + jwk->kid + R"("})",
        R"({"aud":"sts.amazonaws.com","exp":1796353758,"iat":1796350158,"iss":"https://oidc.example.com",)"
        R"("sub":"system:serviceaccount:default:app"})",
        key.get(), "RS256");
    irsa::testsupport::writeFileAtomically(file("token"), token_);
    irsa::testsupport::writeFileAtomically(file("keys.json"), irsa::oidc::writeJwkSet({*jwk}, false));
    irsa::testsupport::writeFileAtomically(file("policy.json"), kPolicy);
  }
  std::string file(const std::string& name) const { return dir_.file(name); }
  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> all{
        "doctor",         "--token",           file("token"),    "--jwks", file("keys.json"),
        "--trust-policy", file("policy.json"), "--provider-arn", kArn};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }
  CliResult run(const std::vector<std::string>& a, const std::optional<std::string>& in = std::nullopt) {
    return irsa::testsupport::runCli(dir_.path(), a, in);
  }
  void expectUsageError(const std::vector<std::string>& a, const std::string& mentions) {
    const CliResult r = run(a);
    EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
  }

  irsa::testsupport::TempDir dir_;
  std::string token_;
};

}  // namespace

TEST_F(CliDoctorCommand, AllowedExitsZeroAndNeverPrintsTheToken) {
  const CliResult r = run(args({"--now", "2026-12-04T03:00:00Z"}));
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ALLOWED"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find(token_.substr(token_.rfind('.') + 1)), std::string::npos);
  EXPECT_EQ((r.out + r.err).find(token_.substr(0, token_.find('.'))), std::string::npos);
}

TEST_F(CliDoctorCommand, TheTokenCanComeFromStdin) {
  std::vector<std::string> a = args({"--now", "1796350200"});
  a[2] = "-";
  const CliResult r = run(a, token_ + "\n");
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
}

TEST_F(CliDoctorCommand, DeniedExitsOneWithStsAnswer) {
  const CliResult r = run(args({"--now", "2027-01-01T00:00:00Z"}));
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  time"), std::string::npos) << r.out;
  EXPECT_NE(
      r.out.find("DENIED: STS answers ExpiredTokenException: Token expired: current date/time 1798761600 "
                 "must be before the expiration date/time 1796353758"),
      std::string::npos)
      << r.out;
}

TEST_F(CliDoctorCommand, BadInputIsAOneLineUsageError) {
  expectUsageError({"doctor"}, "--token or --service-account is required");
  expectUsageError({"doctor", "--token", file("token")}, "--jwks is required");
  expectUsageError({"doctor", "--token", file("token"), "--jwks", file("keys.json"), "--provider-arn", kArn},
                   "--trust-policy is required");
  std::vector<std::string> badArn = args();
  badArn.back() = "arn:aws:iam::1:oidc-provider/x";
  expectUsageError(badArn, "--provider-arn");
  expectUsageError(args({"--now", "yesterday"}), "as RFC 3339");
  std::vector<std::string> missing = args();
  missing[4] = file("nope.json");
  expectUsageError(missing, "nope.json");
  irsa::testsupport::writeFileAtomically(file("bad.json"), "{");
  std::vector<std::string> badPolicy = args();
  badPolicy[6] = file("bad.json");
  expectUsageError(badPolicy, "--trust-policy");
  irsa::testsupport::writeFileAtomically(file("not-a-token"), "hello");
  std::vector<std::string> badToken = args();
  badToken[2] = file("not-a-token");
  expectUsageError(badToken, "not a JWT");
  expectUsageError(args({"--pod", file("bad.json")}), "--pod");
  expectUsageError(args({"--bogus"}), "bogus");
  irsa::testsupport::writeFileAtomically(
      file("no-provider.json"),
      R"({"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})");
  expectUsageError({"doctor", "--token", file("token"), "--jwks", file("keys.json"), "--trust-policy",
                    file("no-provider.json")},
                   "--trust-policy: no Allow statement for sts:AssumeRoleWithWebIdentity federates an OIDC "
                   "provider (or give --provider-arn)");
}

TEST_F(CliDoctorCommand, WithoutProviderArnTheTrustPolicysProviderIsChecked) {
  const CliResult r = run({"doctor", "--token", file("token"), "--jwks", file("keys.json"), "--trust-policy",
                           file("policy.json"), "--now", "2026-12-04T03:00:00Z"});
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("ALLOWED"), std::string::npos) << r.out;
}

TEST_F(CliDoctorCommand, HelpListsTheFlags) {
  const CliResult r = run({"doctor", "--help"});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_NE(r.out.find("--trust-policy"), std::string::npos);
  EXPECT_NE(r.out.find("--sts-vpc-endpoint-region"), std::string::npos);
}
