// `irsa-webhook oidc` end to end: the built binary on the key fixtures, and
// `oidc from-cluster` against a fake apiserver (the real one: test_oidc.py).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "test/support/CliRun.hpp"
#include "test/support/FakeApiServer.hpp"
#include "test/support/OidcFixtures.hpp"
#include "test/support/TempDir.hpp"

namespace fs = std::filesystem;
using irsa::testsupport::CliResult;
using irsa::testsupport::readFile;

namespace {

using irsa::testsupport::oidcFixturePath;

class CliOidcCommand : public ::testing::Test {
 protected:
  CliResult run(const std::vector<std::string>& args) { return irsa::testsupport::runCli(dir_.path(), args); }

  // A usage error: exit 2 and one line on stderr that names `mentions`.
  void expectUsageError(const std::vector<std::string>& args, const std::string& mentions) {
    const CliResult r = run(args);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
  }

  irsa::testsupport::TempDir dir_;
};

TEST_F(CliOidcCommand, JwksOfOneRsaKeyIsTheReferenceGeneratorsOutput) {
  const CliResult r = run({"oidc", "jwks", "--key", oidcFixturePath("rsa.pub")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, readFile(oidcFixturePath("rsa.keys.json")));
  EXPECT_EQ(r.err, "");
}

TEST_F(CliOidcCommand, JwksTakesSeveralKeysForRotation) {
  const CliResult r = run({"oidc", "jwks", "--key", oidcFixturePath("rsa.pub"), "--key",
                           oidcFixturePath("ec-p384.key"), "--legacy-empty-kid"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("\"kid\": \"Ku-9KmhXutZjQo0UyD34foROe38u7NeXG76Ybd8XYJU\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"kid\": \"w3vd8vF-aTVDTzaSTtot7hV_saKSfQx6c1YHmbXGmCc\""), std::string::npos)
      << r.out;
  std::size_t empty = 0;
  for (std::size_t at = r.out.find("\"kid\": \"\""); at != std::string::npos;
       at = r.out.find("\"kid\": \"\"", at + 1))
    ++empty;
  EXPECT_EQ(empty, 2U);
}

TEST_F(CliOidcCommand, JwksBadInputIsAOneLineUsageError) {
  expectUsageError({"oidc", "jwks"}, "--key is required");
  expectUsageError({"oidc", "jwks", "--key", oidcFixturePath("missing.pub")}, "missing.pub");
  expectUsageError({"oidc", "jwks", "--key", oidcFixturePath("ed25519.key")},
                   "ED25519 keys are not supported");
  expectUsageError({"oidc", "jwks", "--key", oidcFixturePath("README.md")},
                   "no PEM public or private key found");
  expectUsageError({"oidc", "jwks", "--kye", "x"}, "kye");
}

TEST_F(CliOidcCommand, DiscoveryNamesTheKeysAlgorithms) {
  const CliResult r = run({"oidc", "discovery", "--issuer", "https://oidc.example.com/c1", "--key",
                           oidcFixturePath("ec-p256.pub"), "--key", oidcFixturePath("rsa.pub"), "--key",
                           oidcFixturePath("ec-p521.pub")});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("\"jwks_uri\": \"https://oidc.example.com/c1/keys.json\""), std::string::npos)
      << r.out;
  EXPECT_NE(
      r.out.find("\"id_token_signing_alg_values_supported\": [\n        \"ES256\",\n        \"RS256\",\n"
                 "        \"ES512\"\n    ]"),
      std::string::npos)
      << r.out;
}

TEST_F(CliOidcCommand, DiscoveryRefusesAnIssuerStsCannotMatch) {
  expectUsageError({"oidc", "discovery"}, "--issuer is required");
  expectUsageError({"oidc", "discovery", "--issuer", "https://oidc.example.com/"}, "ends in /");
  expectUsageError({"oidc", "discovery", "--issuer", "http://oidc.example.com"}, "is not https://");
  expectUsageError({"oidc", "discovery", "--issuer", "https://a.example.com", "--jwks-uri", "http://a/k"},
                   "--jwks-uri");
}

TEST_F(CliOidcCommand, HelpAndUnknownCommands) {
  const CliResult help = run({"oidc", "--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("from-cluster"), std::string::npos) << help.out;
  const CliResult jwksHelp = run({"oidc", "jwks", "--help"});
  EXPECT_EQ(jwksHelp.exitCode, 0);
  EXPECT_NE(jwksHelp.out.find("--legacy-empty-kid"), std::string::npos) << jwksHelp.out;
  EXPECT_EQ(run({"oidc"}).exitCode, 2);
  EXPECT_EQ(run({"oidc", "keys"}).exitCode, 2);
  EXPECT_NE(run({"--help"}).out.find("oidc"), std::string::npos);
}

// from-cluster against a fake apiserver that serves `discovery` and the JWKS of rsa.pub
// (as application/jwk-set+json only, like the real one).
class CliOidcFromCluster : public CliOidcCommand {
 protected:
  void serve(const std::string& discovery) {
    const std::string jwks = readFile(oidcFixturePath("rsa.keys.json"));
    server_ = irsa::testsupport::FakeApiServer::start({}, [discovery,
                                                           jwks](const irsa::testsupport::FakeRequest& req) {
      if (req.target == "/.well-known/openid-configuration")
        return irsa::testsupport::FakeScript{
            irsa::testsupport::writeRaw(irsa::testsupport::httpResponse(200, discovery))};
      // As the apiserver: the JWKS only to a client that accepts its media type.
      if (req.target == "/openid/v1/jwks" && req.accept.find("application/jwk-set+json") == std::string::npos)
        return irsa::testsupport::FakeScript{
            irsa::testsupport::writeRaw(irsa::testsupport::httpResponse(406, "{}"))};
      if (req.target == "/openid/v1/jwks")
        return irsa::testsupport::FakeScript{
            irsa::testsupport::writeRaw(irsa::testsupport::httpResponse(200, jwks))};
      return irsa::testsupport::FakeScript{
          irsa::testsupport::writeRaw(irsa::testsupport::httpResponse(404, "{}"))};
    });
    ASSERT_NE(server_, nullptr);
    irsa::testsupport::writeFileAtomically(dir_.path() / "ca.crt", server_->caPem());
    irsa::testsupport::writeFileAtomically(
        dir_.path() / "kubeconfig",
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:" +
            std::to_string(server_->port()) +
            "\n    certificate-authority: " + (dir_.path() / "ca.crt").string() +
            "\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n"
            "    user: u\ncurrent-context: x\n");
  }
  std::string kubeconfig() const { return (dir_.path() / "kubeconfig").string(); }
  std::unique_ptr<irsa::testsupport::FakeApiServer> server_;
};

TEST_F(CliOidcFromCluster, WritesTheFilesWhereTheIssuerPoints) {
  serve(R"({"issuer":"https://oidc.example.com/c1","jwks_uri":"https://oidc.example.com/c1/openid/v1/jwks",)"
        R"("id_token_signing_alg_values_supported":["RS256"]})");
  const fs::path out = dir_.path() / "upload";
  const CliResult r = run({"oidc", "from-cluster", "--kubeconfig", kubeconfig(), "--out-dir", out.string()});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(readFile(out / "openid/v1/jwks"), readFile(oidcFixturePath("rsa.keys.json")));
  const std::string discovery = readFile(out / ".well-known/openid-configuration");
  EXPECT_NE(discovery.find("\"jwks_uri\": \"https://oidc.example.com/c1/openid/v1/jwks\""), std::string::npos)
      << discovery;
  EXPECT_NE(discovery.find("\"issuer\": \"https://oidc.example.com/c1\""), std::string::npos) << discovery;
}

TEST_F(CliOidcFromCluster, AJwksUriOutsideTheIssuerBecomesKeysJsonWithAWarning) {
  serve(R"({"issuer":"https://oidc.example.com","jwks_uri":"https://10.0.0.1:6443/openid/v1/jwks"})");
  const fs::path out = dir_.path() / "upload";
  const CliResult r = run({"oidc", "from-cluster", "--kubeconfig", kubeconfig(), "--out-dir", out.string(),
                           "--issuer", "https://other.example.com"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find(
                "warning: the apiserver's issuer is https://oidc.example.com, not https://other.example.com"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("is not under the issuer"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(out / "keys.json"));
  const std::string discovery = readFile(out / ".well-known/openid-configuration");
  EXPECT_NE(discovery.find("\"jwks_uri\": \"https://other.example.com/keys.json\""), std::string::npos)
      << discovery;
}

TEST_F(CliOidcFromCluster, FailuresSayWhatWentWrong) {
  serve(R"({"issuer":"https://oidc.example.com/"})");
  const CliResult malformed = run({"oidc", "from-cluster", "--kubeconfig", kubeconfig(), "--out-dir", "x"});
  EXPECT_EQ(malformed.exitCode, 1);
  EXPECT_NE(malformed.err.find("has no \"jwks_uri\""), std::string::npos) << malformed.err;
  expectUsageError({"oidc", "from-cluster", "--kubeconfig", kubeconfig()}, "--out-dir is required");
  expectUsageError(
      {"oidc", "from-cluster", "--kubeconfig", kubeconfig(), "--out-dir", "x", "--issuer", "http://a"},
      "is not https://");
  const CliResult noConfig =
      run({"oidc", "from-cluster", "--kubeconfig", (dir_.path() / "nope").string(), "--out-dir", "x"});
  EXPECT_EQ(noConfig.exitCode, 1);
  EXPECT_NE(noConfig.err.find("nope"), std::string::npos) << noConfig.err;
}

}  // namespace
