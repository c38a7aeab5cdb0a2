// Integration: the real binary invoked as the reference's manifests invoke
// it. Flags alone mean serve, --version in its forms, the pflag forms of -v,
// stray arguments and no-effect flags that warn instead of failing, and the
// community chart's command line.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <algorithm>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

constexpr int kExitUsage = 2;

class ServerInvocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(makeDevCert(dir_.path() / "certs", dir_.path()));
    writeFileAtomically(dir_.file("sa.yaml"), defaultServiceAccounts());
  }

  // The flags a loopback run needs (no cluster, the dev certificate, port 0).
  std::vector<std::string> loopback() const {
    return {"--port=0",
            "--metrics-port=0",
            "--bind-address=127.0.0.1",
            "--tls-cert=" + dir_.file("certs/tls.crt"),
            "--tls-key=" + dir_.file("certs/tls.key"),
            "--service-accounts=" + dir_.file("sa.yaml")};
  }
  static std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  // Starts the binary with `args` (and a --ready-file) and waits until it serves.
  std::unique_ptr<ServerProcess> serve(const std::vector<std::string>& args) {
    const auto readyFile = dir_.path() / ("ready-" + std::to_string(++served_) + ".json");
    // First (after a leading "serve"), so a test's stray words do not end the flags before it.
    auto withReadyFile = args;
    const auto at = withReadyFile.begin() + (!args.empty() && args[0] == "serve" ? 1 : 0);
    withReadyFile.insert(at, {"--ready-file", readyFile.string()});
    auto process = std::make_unique<ServerProcess>(withReadyFile, dir_.path());
    if (!process->waitServing(readyFile)) {
      ADD_FAILURE() << "did not serve; stderr:\n" << process->stderrText();
      return nullptr;
    }
    return process;
  }

  RunResult run(std::vector<std::string> args) { return runBinary(std::move(args), dir_.path()); }

  static void expectVersion(const RunResult& r, const std::string& what) {
    ASSERT_TRUE(r.status.exited && !r.timedOut) << what << ": " << r.err;
    EXPECT_EQ(r.status.code, 0) << what << ": " << r.err;
    EXPECT_EQ(r.out.rfind("irsa-webhook ", 0), 0u) << what << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << what << ": " << r.out;
    EXPECT_EQ(r.err.find("] Webhook started "), std::string::npos) << what << ": " << r.err;
  }

  TempDir dir_;
  int served_{0};
};

TEST_F(ServerInvocationTest, FlagsAloneMeanServe) {
  auto process = serve(loopback());
  ASSERT_TRUE(process);
  EXPECT_NE(process->port(), 0);
}

TEST_F(ServerInvocationTest, VersionInEveryFormPrintsTheVersionAndExitsZero) {
  const std::vector<std::vector<std::string>> forms = {
      {"--version"},         {"-version"},
      {"version"},           {"serve", "--version"},
      {"--version=true"},    {"serve", "--version=true"},
      {"serve", "-version"}, join(loopback(), {"--version"})};
  for (const auto& args : forms) {
    std::string what;
    for (const auto& a : args)
      what += a + " ";
    expectVersion(run(args), what);
  }
  const RunResult top = run({"--version"});
  EXPECT_EQ(run({"serve", "--version"}).out, top.out);
}

TEST_F(ServerInvocationTest, VersionFalseServes) {
  auto process = serve(join({"--version=false"}, loopback()));
  ASSERT_TRUE(process);
}

TEST_F(ServerInvocationTest, TopLevelHelpStaysTheCommandList) {
  const RunResult r = run({"-h"});
  EXPECT_EQ(r.status.code, 0) << r.err;
  EXPECT_NE(r.out.find("Commands:"), std::string::npos) << r.out;
  const RunResult serveHelp = run({"--port=8443", "--help"});
  EXPECT_EQ(serveHelp.status.code, 0) << serveHelp.err;
  EXPECT_NE(serveHelp.out.find("Usage: irsa-webhook serve"), std::string::npos) << serveHelp.out;
}

// A pod whose ServiceAccount has no role is left alone; AdmissionHandler logs
// that at verbosity 4 only.
std::size_t notMutatedLinesAfterOneRequest(const std::vector<std::string>& verbosity) {
  TestServer::Options options;
  options.extraArgs = verbosity;
  auto server = TestServer::start(options);
  if (!server) return 99;
  Reply reply =
      server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "u1", podJson("plain"))));
  EXPECT_FALSE(reply.ec) << reply.ec.message();
  // Logged before the answer is sent: no need to wait for it.
  return server->process().countLog(
      "] Pod was not mutated. Reason: Service account did not have the right annotations");
}

TEST_F(ServerInvocationTest, VerbosityTakesEveryPflagForm) {
  EXPECT_EQ(notMutatedLinesAfterOneRequest({}), 0u);
  for (const auto& form :
       std::vector<std::vector<std::string>>{{"-v4"}, {"-v=4"}, {"-v", "4"}, {"--v=4"}, {"--v", "4"}}) {
    EXPECT_EQ(notMutatedLinesAfterOneRequest(form), 1u) << form[0];
  }
}

TEST_F(ServerInvocationTest, BoolFollowedByAWordWarnsAndServes) {
  auto process = serve(join(loopback(), {"--sts-regional-endpoint", "false", "stray"}));
  ASSERT_TRUE(process);
  const std::string log = process->stderrText();
  const auto line = process->waitForLog("argument=\"false\"", std::chrono::seconds(1));
  ASSERT_TRUE(line) << log;
  EXPECT_EQ(line->front(), 'W') << *line;  // klog severity: warning
  EXPECT_NE(line->find("write --sts-regional-endpoint=false"), std::string::npos) << *line;
  EXPECT_EQ(process->countLog("argument=\"stray\""), 1u) << log;
  // Warned once, before serving.
  EXPECT_LT(log.find("argument=\"false\""), log.find("] Webhook started ")) << log;
  EXPECT_EQ(process->countLog("argument=\"false\""), 1u) << log;
}

TEST_F(ServerInvocationTest, NoEffectFlagsSetAreLoggedOncePerFlag) {
  auto process = serve(join(loopback(), {"--resync-period=30s", "--service-name=svc", "--in-cluster=false"}));
  ASSERT_TRUE(process);
  for (const char* flag : {"--resync-period", "--service-name", "--in-cluster"}) {
    EXPECT_EQ(process->countLog(std::string("] Flag has no effect here flag=\"") + flag + "\""), 1u)
        << flag << "\n"
        << process->stderrText();
  }
  EXPECT_EQ(process->countLog("flag=\"--tls-secret\""), 0u) << process->stderrText();
}

TEST_F(ServerInvocationTest, ServeHelpListsTheNoEffectFlagsApart) {
  const RunResult r = run({"serve", "--help"});
  EXPECT_EQ(r.status.code, 0) << r.err;
  const auto section = r.out.find("no effect here:");
  ASSERT_NE(section, std::string::npos) << r.out;
  for (const char* flag : {"--resync-period", "--service-name", "--tls-secret", "--in-cluster"}) {
    EXPECT_GT(r.out.find(flag), section) << flag << "\n" << r.out;
  }
  EXPECT_LT(r.out.find("--tls-cert"), section) << r.out;
}

TEST_F(ServerInvocationTest, TokenExpirationZeroOrNegativeIsClampedTo600) {
  for (const char* value : {"0", "-5", "100"}) {
    TestServer::Options options;
    options.extraArgs = {std::string("--token-expiration=") + value};
    auto server = TestServer::start(options);
    ASSERT_TRUE(server) << value;
    Reply reply =
        server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "u1", podJson("annotated"))));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    const auto patch = decodedPatch(reply);
    ASSERT_TRUE(patch) << reply.response.body();
    EXPECT_NE(patch->find("\"expirationSeconds\":600"), std::string::npos) << value << ": " << *patch;
  }
}

TEST_F(ServerInvocationTest, TlsMinVersionReferenceNamesStart) {
  for (const char* version : {"1.2", "1.3", "VersionTLS12", "VersionTLS13"}) {
    auto process = serve(join(loopback(), {std::string("--tls-min-version=") + version}));
    ASSERT_TRUE(process) << version;
    EXPECT_EQ(process->countLog("TLS minimum version raised"), 0u) << process->stderrText();
  }
}

TEST_F(ServerInvocationTest, TlsMinVersionBelow12WarnsAndKeepsTheTls12Floor) {
  for (const char* version : {"1.0", "1.1", "VersionTLS10", "VersionTLS11"}) {
    TestServer::Options options;
    options.extraArgs = {"--tls-min-version", version};
    auto server = TestServer::start(options);
    ASSERT_TRUE(server) << version;
    const auto line =
        server->process().waitForLog("] TLS minimum version raised to 1.2", std::chrono::seconds(1));
    ASSERT_TRUE(line) << server->process().stderrText();
    EXPECT_EQ(line->front(), 'W') << *line;  // klog severity: warning
    EXPECT_EQ(logField(*line, "requested"), version) << *line;

    TlsClientOptions legacy = server->trust();
    legacy.minVersion = TLS1_VERSION;
    legacy.maxVersion = TLS1_1_VERSION;
    legacy.allowLegacy = true;
    TestClient refused;
    EXPECT_TRUE(refused.connectTls(server->port(), legacy))
        << version << " negotiated " << refused.tlsVersion();
    TlsClientOptions tls12 = server->trust();
    tls12.maxVersion = TLS1_2_VERSION;
    TestClient accepted;
    EXPECT_FALSE(accepted.connectTls(server->port(), tls12)) << version;
  }
}

TEST_F(ServerInvocationTest, UnknownTlsMinVersionIsAUsageError) {
  const RunResult r = run(join(loopback(), {"--tls-min-version=TLS1.2"}));
  ASSERT_TRUE(r.status.exited) << r.err;
  EXPECT_EQ(r.status.code, kExitUsage) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("\"TLS1.2\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("VersionTLS13"), std::string::npos) << r.err;
}

// Without --service-accounts or --kubeconfig the server reads the in-cluster
// configuration; outside a pod the start fails naming both ways out.
TEST_F(ServerInvocationTest, NoClusterAndNoServiceAccountsFileFailsNamingBothFlags) {
  std::vector<std::string> args = loopback();
  args.pop_back();  // --service-accounts
  const RunResult r = run(args);
  ASSERT_TRUE(r.status.exited && !r.timedOut) << r.err;
  EXPECT_EQ(r.status.code, 1) << r.err;
  const std::string prefix = "\nirsa-webhook serve: in-cluster configuration: ";
  const std::string suffix = " (outside a cluster, give --kubeconfig or --service-accounts)\n";
  EXPECT_NE(r.err.find(prefix), std::string::npos) << r.err;
  ASSERT_GE(r.err.size(), suffix.size()) << r.err;
  EXPECT_EQ(r.err.substr(r.err.size() - suffix.size()), suffix) << r.err;
}

// The command of jkroepke/helm-charts' amazon-eks-pod-identity-webhook chart
// (templates/deployment.yaml) rendered with its default values, release
// "irsa", $(POD_NAMESPACE) expanded by the kubelet to "kube-system".
const std::vector<std::string> kCommunityChartArgs = {
    "--annotation-prefix=eks.amazonaws.com",
    "--aws-default-region=us-east-1",
    "--in-cluster=false",
    "--logtostderr",
    "--namespace=kube-system",
    "--metrics-port=9999",
    "--port=8443",
    "--service-name=irsa-amazon-eks-pod-identity-webhook",
    "--sts-regional-endpoint=true",
    "--token-audience=sts.amazonaws.com",
    "--token-expiration=86400",
    "--token-mount-path=/var/run/secrets/eks.amazonaws.com/serviceaccount",
    "--tls-cert=/etc/webhook/certs/tls.crt",
    "--tls-key=/etc/webhook/certs/tls.key",
};

TEST_F(ServerInvocationTest, CommunityChartCommandLineServes) {
  std::vector<std::string> args = kCommunityChartArgs;
  // Later flags win: the out-of-cluster additions replace the ports and the
  // certificate paths of the pod.
  auto process = serve(join(args, loopback()));
  ASSERT_TRUE(process);
  for (const char* flag : {"--in-cluster", "--service-name"}) {
    EXPECT_EQ(process->countLog(std::string("] Flag has no effect here flag=\"") + flag + "\""), 1u)
        << flag << "\n"
        << process->stderrText();
  }
  EXPECT_EQ(("\n" + process->stderrText()).find("\nE"), std::string::npos)
      << process->stderrText();  // no klog error line
}

}  // namespace
}  // namespace irsa::testsupport
