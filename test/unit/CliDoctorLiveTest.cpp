// `doctor --service-account NS/NAME` through the binary, against a scripted
// API server: the ServiceAccount is read, the TokenRequest asks for the
// audience and lifetime the webhook would project, and the role comes from
// the annotation. Against the real apiserver: test/e2e/test_doctor.py.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "oidc/Jwk.hpp"
#include "oidc/JwkSet.hpp"
#include "test/support/CliRun.hpp"
#include "test/support/FakeApiServer.hpp"
#include "test/support/OidcFixtures.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::testsupport {
namespace {

constexpr const char* kRole = "arn:aws:iam::111122223333:role/app";
constexpr const char* kPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",)"
    R"("Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example.com"},)"
    R"("Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{)"
    R"("oidc.example.com:aud":"sts.amazonaws.com","oidc.example.com:sub":"system:serviceaccount:default:app"}}}]})";

std::string serviceAccountJson(const std::string& name, const std::string& annotations) {
  return R"({"kind":"ServiceAccount","apiVersion":"v1","metadata":{"name":")" + name +
         R"(","namespace":"default","annotations":{)" + annotations + "}}}";
}

class CliDoctorLive : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = fixtureKey("rsa-pkcs1.key");
    auto jwk = oidc::jwkOfKey(key_.get());
    ASSERT_TRUE(jwk) << jwk.error();
    kid_ = jwk->kid;
    writeFileAtomically(dir_.file("keys.json"), oidc::writeJwkSet({*jwk}, false));
    writeFileAtomically(dir_.file("policy.json"), kPolicy);
    server_ = FakeApiServer::start({}, [this](const FakeRequest& r) { return answer(r); });
    ASSERT_TRUE(server_);
    writeFileAtomically(dir_.file("ca.pem"), server_->caPem());
    writeFileAtomically(dir_.file("kubeconfig"),
                        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
                        "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:" +
                            std::to_string(server_->port()) + "', certificate-authority: '" +
                            dir_.file("ca.pem") +
                            "'}}]\n"
                            "users: [{name: u, user: {token: t}}]\n"
                            "contexts: [{name: c, context: {cluster: c, user: u}}]\n");
  }

  // The apiserver's side: three ServiceAccounts, and tokens signed now with
  // the audience and lifetime the request asks for.
  FakeScript answer(const FakeRequest& r) {
    const std::string base = "/api/v1/namespaces/default/serviceaccounts/";
    const std::string role = std::string(R"("eks.amazonaws.com/role-arn":")") + kRole + "\"";
    if (r.method == "GET" && r.target == base + "app") {
      return respond(200,
                     serviceAccountJson("app", role + R"(,"eks.amazonaws.com/token-expiration":"3600")"));
    }
    if (r.method == "GET" && r.target == base + "other-audience") {
      return respond(200,
                     serviceAccountJson("other-audience", role + R"(,"eks.amazonaws.com/audience":"vault")"));
    }
    if (r.method == "GET" && r.target == base + "no-role")
      return respond(200, serviceAccountJson("no-role", ""));
    if (r.method == "POST" && r.target.ends_with("/token")) return respond(201, issue(r));
    return respond(404, R"({"kind":"Status","code":404,"reason":"NotFound"})");
  }

  std::string issue(const FakeRequest& r) {
    rapidjson::Document request;
    request.Parse(r.body.c_str());
    const auto& spec = request["spec"];
    const std::string name = r.target.substr(r.target.rfind("serviceaccounts/") + 16,
                                             r.target.size() - r.target.rfind("serviceaccounts/") - 16 - 6);
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    const std::string token =
        signJwt(R"({"alg":"RS256","kid":")" + kid_ + R"("})",
                std::string(R"({"aud":[")") + spec["audiences"][0].GetString() + R"("],"exp":)" +
                    std::to_string(now + spec["expirationSeconds"].GetInt64()) + R"(,"iat":)" +
                    std::to_string(now) + R"(,"iss":"https://oidc.example.com",)" +
                    R"("sub":"system:serviceaccount:default:)" + name + R"("})",
                key_.get(), "RS256");
    {
      std::lock_guard lock(mutex_);  // the server's thread writes it
      issued_ = token;
    }
    return R"({"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","status":{"token":")" + token +
           R"(","expirationTimestamp":"2030-01-01T00:00:00Z"}})";
  }

  static FakeScript respond(int status, const std::string& body) {
    return {writeRaw(httpResponse(status, body))};
  }

  CliResult doctor(const std::string& serviceAccount, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{
        "doctor", "--service-account",    serviceAccount,   "--kubeconfig",          dir_.file("kubeconfig"),
        "--jwks", dir_.file("keys.json"), "--trust-policy", dir_.file("policy.json")};
    args.insert(args.end(), extra.begin(), extra.end());
    return runCli(dir_.path(), args);
  }

  TempDir dir_;
  certs::EvpPkeyPtr key_;
  std::string kid_;
  std::mutex mutex_;
  std::string issued_;  // guarded by mutex_
  std::unique_ptr<FakeApiServer> server_;
};

TEST_F(CliDoctorLive, AsksForTheTokenTheWebhookWouldProjectAndChecksItForTheAnnotatedRole) {
  const CliResult r = doctor("default/app");
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_NE(
      r.out.find("ServiceAccount default/app gets, from the TokenRequest API (audience sts.amazonaws.com, "
                 "3600 s)"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(std::string("ALLOWED: STS would issue credentials for ") + kRole), std::string::npos)
      << r.out;
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[1].method, "POST");
  EXPECT_EQ(seen[1].target, "/api/v1/namespaces/default/serviceaccounts/app/token");
  EXPECT_EQ(seen[1].authorization, "Bearer t");
  EXPECT_NE(seen[1].body.find(R"("audiences":["sts.amazonaws.com"],"expirationSeconds":3600)"),
            std::string::npos)
      << seen[1].body;
  std::lock_guard lock(mutex_);
  ASSERT_FALSE(issued_.empty());
  EXPECT_EQ((r.out + r.err).find(issued_.substr(issued_.rfind('.') + 1)), std::string::npos);
}

TEST_F(CliDoctorLive, TheAudienceAnnotationGoesIntoTheTokenAndTheProviderSaysItIsWrong) {
  const CliResult r = doctor("default/other-audience");
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("(audience vault, 86400 s)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DENIED: STS answers InvalidIdentityToken: Incorrect token audience"),
            std::string::npos)
      << r.out;
}

TEST_F(CliDoctorLive, TheWebhookFlagsShapeATokenTheAnnotationsDoNot) {
  const CliResult r =
      doctor("default/no-role", {"--token-audience", "sts.example", "--token-expiration", "10"});
  EXPECT_NE(r.out.find("(audience sts.example, 600 s)"), std::string::npos)
      << r.out;  // raised to the minimum
  EXPECT_NE(r.out.find("ServiceAccount default/no-role has no eks.amazonaws.com/role-arn annotation"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.exitCode, 1) << r.out << r.err;  // an audience the provider does not list, and another sub
}

TEST_F(CliDoctorLive, AMissingServiceAccountOrAnUnreachableClusterExitsTwo) {
  const CliResult missing = doctor("default/missing");
  EXPECT_EQ(missing.exitCode, 2) << missing.out << missing.err;
  EXPECT_EQ(missing.err, "irsa-webhook doctor: ServiceAccount default/missing not found\n");

  server_.reset();  // nothing listens there any more
  const CliResult down = doctor("default/app", {"--request-timeout", "5s"});
  EXPECT_EQ(down.exitCode, 2) << down.out << down.err;
  EXPECT_NE(down.err.find("GET /api/v1/namespaces/default/serviceaccounts/app: connect to 127.0.0.1"),
            std::string::npos)
      << down.err;
}

TEST_F(CliDoctorLive, TheServiceAccountIsNamespaceSlashNameAndExcludesToken) {
  const CliResult plain = doctor("app");
  EXPECT_EQ(plain.exitCode, 2);
  EXPECT_EQ(plain.err, "irsa-webhook doctor: --service-account: want NAMESPACE/NAME, got \"app\"\n");
  const CliResult invalid = doctor("default/Not_Valid");
  EXPECT_EQ(invalid.exitCode, 2);
  EXPECT_NE(invalid.err.find("\"Not_Valid\" is not a valid namespace or ServiceAccount name"),
            std::string::npos)
      << invalid.err;
  const CliResult both = doctor("default/app", {"--token", dir_.file("keys.json")});
  EXPECT_EQ(both.exitCode, 2);
  EXPECT_EQ(both.err, "irsa-webhook doctor: give --token or --service-account, not both\n");
  EXPECT_TRUE(server_->requests().empty());
}

}  // namespace
}  // namespace irsa::testsupport
