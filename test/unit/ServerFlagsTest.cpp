// Integration: `irsa-webhook serve` refuses bad command lines with the exit
// codes of cli/Commands.hpp (2 usage, 1 runtime failure) and one clear line.
#include <gtest/gtest.h>

#include <algorithm>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

class ServerFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(makeDevCert(certDir(), dir_.path()));
    writeFileAtomically(serviceAccounts(), defaultServiceAccounts());
  }

  std::filesystem::path certDir() const { return dir_.path() / "certs"; }
  std::string serviceAccounts() const { return dir_.file("service-accounts.yaml"); }

  // A complete, valid serve command line plus `extra` (later flags win).
  std::vector<std::string> serve(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"serve", "--port=0", "--metrics-port=0", "--bind-address=127.0.0.1"};
    args.insert(args.end(), {"--tls-cert", (certDir() / "tls.crt").string()});
    args.insert(args.end(), {"--tls-key", (certDir() / "tls.key").string()});
    args.insert(args.end(), {"--service-accounts", serviceAccounts()});
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  RunResult run(std::vector<std::string> args) { return runBinary(std::move(args), dir_.path()); }

  static void expectExit(const RunResult& r, int code) {
    ASSERT_FALSE(r.timedOut) << "still running; stderr:\n" << r.err;
    ASSERT_TRUE(r.status.exited) << "killed by signal " << r.status.signal << "; stderr:\n" << r.err;
    EXPECT_EQ(r.status.code, code) << r.err;
  }

  static void expectOneLine(const std::string& text) {
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  }

  TempDir dir_;
};

TEST_F(ServerFlagsTest, NonNumericPortExits2WithOneLineNamingTheFlag) {
  const RunResult r = run(serve({"--port", "abc"}));
  expectExit(r, kExitUsage);
  expectOneLine(r.err);
  EXPECT_NE(r.err.find("--port"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("abc"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Webhook started"), std::string::npos);
}

TEST_F(ServerFlagsTest, KubeApiQpsMustBeAPositiveNumber) {
  for (const char* qps : {"x", "0", "-1", "nan", "inf", "5/s"}) {
    const RunResult r = run(serve({"--kube-api-qps", qps}));
    expectExit(r, kExitUsage);
    EXPECT_EQ(r.err, std::string("irsa-webhook serve: invalid value \"") + qps +
                         "\" for flag --kube-api-qps: not a positive number\n");
  }
  TestServer::Options options;
  options.extraArgs = {"--kube-api-qps=0.5", "--kube-api-burst=1"};
  ASSERT_TRUE(TestServer::start(options));
}

TEST_F(ServerFlagsTest, RelationsBetweenFlagsAreCheckedAfterParsing) {
  const RunResult burst = run(serve({"--kube-api-burst=0"}));
  expectExit(burst, kExitUsage);
  EXPECT_EQ(burst.err, "irsa-webhook serve: --kube-api-burst must be positive\n");
  const RunResult file = run(serve({"--watch-config-map"}));
  expectExit(file, kExitUsage);
  EXPECT_EQ(
      file.err,
      "irsa-webhook serve: --service-accounts serves from a file: it excludes --kubeconfig, --kube-api and "
      "--watch-config-map\n");
  const RunResult threads = run(serve({"--threads=1025"}));
  expectExit(threads, kExitUsage);
  EXPECT_EQ(threads.err, "irsa-webhook serve: --threads must be between 0 and 1024\n");
  const RunResult delay = run(serve({"--shutdown-delay=25s"}));  // the default timeout is 25s
  expectExit(delay, kExitUsage);
  EXPECT_EQ(
      delay.err,
      "irsa-webhook serve: --shutdown-delay must be shorter than --shutdown-timeout, which includes it\n");
  const RunResult negative = run(serve({"--shutdown-delay=-1s"}));
  expectExit(negative, kExitUsage);
  EXPECT_EQ(negative.err,
            "irsa-webhook serve: invalid value \"-1s\" for flag --shutdown-delay: negative value in duration "
            "\"-1s\"\n");
}

TEST_F(ServerFlagsTest, UnknownFlagExits2) {
  const RunResult r = run(serve({"--no-such-flag", "1"}));
  expectExit(r, kExitUsage);
  expectOneLine(r.err);
  EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

// Outside a cluster (ServerProcess scrubs KUBERNETES_* and KUBECONFIG) there
// is no ServiceAccount source: a usage error (2) while the API-server source
// does not exist, a runtime failure (1) once serve looks for a cluster.
TEST_F(ServerFlagsTest, ServeWithoutServiceAccountsOutsideAClusterExitsNamingTheFlag) {
  const RunResult r = run({"serve", "--port=0", "--metrics-port=0", "--bind-address=127.0.0.1",
                           "--tls-cert=" + (certDir() / "tls.crt").string(),
                           "--tls-key=" + (certDir() / "tls.key").string()});
  ASSERT_FALSE(r.timedOut) << r.err;
  ASSERT_TRUE(r.status.exited) << "killed by signal " << r.status.signal;
  EXPECT_TRUE(r.status.code == kExitUsage || r.status.code == kExitFailure)
      << "exit " << r.status.code << ": " << r.err;
  EXPECT_NE(r.err.find("--service-accounts"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Webhook started"), std::string::npos) << r.err;
}

TEST_F(ServerFlagsTest, MissingCertificateFileExits1NamingTheFile) {
  const std::string missing = dir_.file("no-such-dir/tls.crt");
  const RunResult r = run(serve({"--tls-cert", missing}));
  expectExit(r, kExitFailure);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST_F(ServerFlagsTest, MissingServiceAccountsFileExits1NamingTheFile) {
  const std::string missing = dir_.file("missing.yaml");
  const RunResult r = run(serve({"--service-accounts", missing}));
  expectExit(r, kExitFailure);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST_F(ServerFlagsTest, InClusterExits2) {
  const RunResult r = run(serve({"--in-cluster"}));
  expectExit(r, kExitUsage);
  expectOneLine(r.err);
  EXPECT_NE(r.err.find("--in-cluster"), std::string::npos) << r.err;
}

TEST_F(ServerFlagsTest, InClusterFalseIsAccepted) {
  // Existing manifests pass the reference's flag explicitly off.
  TestServer::Options options;
  options.extraArgs = {"--in-cluster=false"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
}

TEST_F(ServerFlagsTest, UnknownTlsMinVersionExits2NamingIt) {
  // Below 1.2 starts with a warning (ServerInvocationTest); a name the
  // reference does not take is a usage error.
  const RunResult r = run(serve({"--tls-min-version", "VersionTLS14"}));
  expectExit(r, kExitUsage);
  expectOneLine(r.err);
  EXPECT_NE(r.err.find("VersionTLS14"), std::string::npos) << r.err;
}

TEST_F(ServerFlagsTest, PositionalArgumentsOfOtherCommandsStayErrors) {
  // serve warns about them (ServerInvocationTest); mutate and dev-cert take flags only.
  const RunResult r = run({"dev-cert", "--out-dir", dir_.file("other"), "extra"});
  expectExit(r, kExitUsage);
  EXPECT_NE(r.err.find("unexpected argument \"extra\""), std::string::npos) << r.err;
}

TEST_F(ServerFlagsTest, PortAlreadyInUseExits1) {
  auto first = TestServer::start();
  ASSERT_TRUE(first);
  const RunResult r = run(serve({"--port", std::to_string(first->port())}));
  expectExit(r, kExitFailure);
  EXPECT_NE(r.err.find(std::to_string(first->port())), std::string::npos) << r.err;
}

}  // namespace
}  // namespace irsa::testsupport
