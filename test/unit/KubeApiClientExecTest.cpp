// KubeApiClient with a kubeconfig exec credential plugin (a /bin/sh script
// in a temp dir that counts its runs) against the scripted FakeApiServer:
// caching, expiry, the 401 refresh, failures, timeouts and what the plugin
// is given. test/e2e/test_exec_plugin.py does the same against a real apiserver.

#include <filesystem>
#include <string>
#include <vector>

#include "test/support/TempDir.hpp"
#include "test/unit/KubeApiClientFixture.hpp"

namespace irsa::kube {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using kubetest::respond;
using kubetest::Waiter;
using testsupport::FakeRequest;
using testsupport::readFile;
using testsupport::TempDir;
using Clock = std::chrono::steady_clock;

class KubeApiClientExecTest : public kubetest::KubeApiClientFixture {
 protected:
  // A plugin that counts its runs in `count`, records what it was given and
  // prints the token "t<run>" (with `expiry` unless empty). `extra` runs first.
  std::string writePlugin(const std::string& expiry = "", const std::string& extra = "") {
    const std::string path = dir_.file("plugin.sh");
    const std::string expiryField = expiry.empty() ? "" : R"(,"expirationTimestamp":")" + expiry + "\"";
    testsupport::writeFileAtomically(
        path,
        "#!/bin/sh\n"
        "d=$(dirname \"$0\")\n"
        "n=$(( $(cat \"$d/count\" 2>/dev/null || echo 0) + 1 ))\n"
        "echo \"$n\" > \"$d/count\"\n"
        "printf '%s' \"$KUBERNETES_EXEC_INFO\" > \"$d/exec-info\"\n"
        "printf '%s\\n' \"$@\" > \"$d/args\"\n"
        "printf '%s' \"$PLUGIN_GREETING\" > \"$d/greeting\"\n" +
            extra +
            "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
            "\"status\":{\"token\":\"t%s\"" +
            expiryField + "}}' \"$n\"\n");
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }
  int runs() {
    std::error_code ec;
    if (!fs::exists(dir_.file("count"), ec)) return 0;
    return std::stoi(readFile(dir_.file("count")));
  }
  ClusterConfig execConfig(const std::string& command) {
    auto config = configFor(*server_);
    ExecCredentialConfig exec;
    exec.apiVersion = "client.authentication.k8s.io/v1";
    exec.command = command;
    config.exec = exec;
    return config;
  }
  std::vector<std::string> authorizations() {
    std::vector<std::string> out;
    for (const auto& r : server_->requests())
      out.push_back(r.authorization);
    return out;
  }

  TempDir dir_;
};

TEST_F(KubeApiClientExecTest, OneRunServesConcurrentAndLaterRequests) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  // Slow enough that the concurrent requests all queue behind one run.
  ASSERT_TRUE(makeClient(execConfig(writePlugin("2999-01-01T00:00:00Z", "sleep 0.2\n"))));
  std::vector<std::unique_ptr<Waiter<util::Result<ApiResponse>>>> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.push_back(std::make_unique<Waiter<util::Result<ApiResponse>>>());
    client_->get("/api", 10s, RateLimit::kWait,
                 [w = waiters.back().get()](util::Result<ApiResponse> r) { w->set(std::move(r)); });
  }
  for (auto& w : waiters) {
    auto result = w->wait();
    ASSERT_TRUE(result && result->ok()) << (result ? result->error() : "no answer");
    EXPECT_EQ((*result)->status, 200);
  }
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(get("/api").ok());
  EXPECT_EQ(runs(), 1);
  for (const auto& auth : authorizations())
    EXPECT_EQ(auth, "Bearer t1");
}

TEST_F(KubeApiClientExecTest, AnExpiredTokenRunsThePluginAgain) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  ASSERT_TRUE(makeClient(execConfig(writePlugin("2000-01-01T00:00:00Z"))));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(get("/api").ok());
  EXPECT_EQ(runs(), 3);
  EXPECT_EQ(authorizations(), (std::vector<std::string>{"Bearer t1", "Bearer t2", "Bearer t3"}));
}

TEST_F(KubeApiClientExecTest, A401RunsThePluginAgainAndRetriesOnce) {
  ASSERT_TRUE(startServer([](const FakeRequest& r) {
    return r.authorization == "Bearer t1" ? respond(401, R"({"kind":"Status","code":401})")
                                          : respond(200, "{}");
  }));
  ASSERT_TRUE(makeClient(execConfig(writePlugin())));
  auto result = get("/api");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(runs(), 2);
  EXPECT_EQ(authorizations(), (std::vector<std::string>{"Bearer t1", "Bearer t2"}));
  ASSERT_TRUE(get("/api").ok());  // t2 is cached now
  EXPECT_EQ(runs(), 2);
}

TEST_F(KubeApiClientExecTest, APersistent401IsReturnedAfterOneRetry) {
  ASSERT_TRUE(
      startServer([](const FakeRequest&) { return respond(401, R"({"kind":"Status","code":401})"); }));
  ASSERT_TRUE(makeClient(execConfig(writePlugin())));
  auto result = get("/api");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->status, 401);
  EXPECT_EQ(runs(), 2);
  EXPECT_EQ(server_->requests().size(), 2u);
}

TEST_F(KubeApiClientExecTest, AFailingPluginIsAnErrorWithItsStderrAndRunsAgainNextTime) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  ASSERT_TRUE(
      makeClient(execConfig(writePlugin("", "echo 'token expired: run aws sso login' >&2\nexit 3\n"))));
  for (int i = 1; i <= 2; ++i) {
    auto result = get("/api");
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().find("exec plugin"), std::string::npos) << result.error();
    EXPECT_NE(result.error().find("exit status 3"), std::string::npos) << result.error();
    EXPECT_NE(result.error().find("run aws sso login"), std::string::npos) << result.error();
    EXPECT_EQ(runs(), i);
  }
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(KubeApiClientExecTest, InvalidOutputIsAnError) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  ASSERT_TRUE(makeClient(execConfig(writePlugin("", "echo 'Password:'\nexit 0\n"))));
  auto result = get("/api");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("not JSON"), std::string::npos) << result.error();
}

TEST_F(KubeApiClientExecTest, AMissingCommandShowsTheInstallHint) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  auto config = execConfig("irsa-test-no-such-plugin");
  config.exec->installHint = "install it from https://example.com/plugin";
  ASSERT_TRUE(makeClient(config));
  auto result = get("/api");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("executable not found in PATH"), std::string::npos) << result.error();
  EXPECT_NE(result.error().find("install it from https://example.com/plugin"), std::string::npos)
      << result.error();
}

TEST_F(KubeApiClientExecTest, APluginThatHangsIsKilledAtItsTimeout) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  KubeApiClientOptions options;
  options.exec.timeout = 300ms;
  ASSERT_TRUE(
      makeClient(execConfig(writePlugin("", "echo 'waiting for MFA' >&2\nexec sleep 30\n")), options));
  const auto start = Clock::now();
  auto result = get("/api", 10s);
  EXPECT_LT(Clock::now() - start, 5s);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("timed out after 300ms"), std::string::npos) << result.error();
  EXPECT_NE(result.error().find("waiting for MFA"), std::string::npos) << result.error();
}

TEST_F(KubeApiClientExecTest, ThePluginGetsExecInfoEnvAndArgs) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  auto config = execConfig(writePlugin());
  config.exec->args = {"eks", "get-token", "--cluster-name", "two words"};
  config.exec->env = {{"PLUGIN_GREETING", "first"}, {"PLUGIN_GREETING", "hello"}};
  config.exec->provideClusterInfo = true;
  ASSERT_TRUE(makeClient(config));
  ASSERT_TRUE(get("/api").ok());
  EXPECT_EQ(readFile(dir_.file("args")), "eks\nget-token\n--cluster-name\ntwo words\n");
  EXPECT_EQ(readFile(dir_.file("greeting")), "hello");
  const std::string info = readFile(dir_.file("exec-info"));
  EXPECT_NE(info.find(R"("kind":"ExecCredential")"), std::string::npos) << info;
  EXPECT_NE(info.find(R"("interactive":false)"), std::string::npos) << info;
  EXPECT_NE(info.find("\"server\":\"https://127.0.0.1:" + std::to_string(server_->port()) + "\""),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("certificate-authority-data"), std::string::npos) << info;
}

TEST_F(KubeApiClientExecTest, AWatchUsesThePluginsTokenAndA401DropsIt) {
  ASSERT_TRUE(startServer([](const FakeRequest& r) {
    if (r.authorization == "Bearer t1") return respond(401, R"({"kind":"Status","code":401})");
    return testsupport::FakeScript{testsupport::writeRaw(testsupport::chunkedHeader(200)),
                                   testsupport::writeRaw(testsupport::chunk("{\"type\":\"ADDED\"}\n")),
                                   testsupport::writeRaw(testsupport::lastChunk())};
  }));
  ASSERT_TRUE(makeClient(execConfig(writePlugin())));
  kubetest::WatchLog refused;
  client_->watch("/api/v1/serviceaccounts?watch=1", 5s, refused.onLine(), refused.onClose());
  auto first = refused.closed.wait();
  ASSERT_TRUE(first.has_value());
  ASSERT_FALSE(first->ok());
  EXPECT_NE(first->error().find("HTTP 401"), std::string::npos) << first->error();
  // The caller watches again (after its backoff) and the plugin gives a new token.
  kubetest::WatchLog log;
  client_->watch("/api/v1/serviceaccounts?watch=1", 5s, log.onLine(), log.onClose());
  auto second = log.closed.wait();
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->ok()) << second->error();
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{R"({"type":"ADDED"})"}));
  EXPECT_EQ(runs(), 2);
  EXPECT_EQ(authorizations(), (std::vector<std::string>{"Bearer t1", "Bearer t2"}));
}

}  // namespace
}  // namespace irsa::kube
