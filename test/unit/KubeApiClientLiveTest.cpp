// KubeApiClient against a real kube-apiserver. Skipped unless
// IRSA_E2E_KUBECONFIG names a kubeconfig; run it with
//   test/e2e/with-control-plane.sh sh -c
//     'IRSA_E2E_KUBECONFIG=$KUBECONFIG build/test/irsa-unit-tests --gtest_filter=KubeApiClientLive*'
// (that script also puts kubectl on PATH, which these tests call).

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kube/ClusterConfig.hpp"
#include "test/support/TempDir.hpp"
#include "test/unit/KubeApiClientFixture.hpp"

namespace irsa::kube {
namespace {

using namespace std::chrono_literals;
using kubetest::WatchLog;

class KubeApiClientLive : public kubetest::KubeApiClientFixture {
 protected:
  void SetUp() override {
    const char* path = std::getenv("IRSA_E2E_KUBECONFIG");
    if (path == nullptr || *path == '\0') GTEST_SKIP() << "IRSA_E2E_KUBECONFIG is not set";
    kubeconfig_ = path;
    ClusterConfigOptions options;
    options.kubeconfigPath = kubeconfig_;
    auto config = loadClusterConfig(options);
    ASSERT_TRUE(config.ok()) << config.error();
    config_ = *config;
  }

  // Runs kubectl against the same cluster; its stdout, or nullopt on failure.
  std::optional<std::string> kubectl(const std::string& args) {
    const std::string command = "kubectl --kubeconfig '" + kubeconfig_ + "' " + args + " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
    if (!pipe) return std::nullopt;
    std::string out;
    std::array<char, 4096> buf{};
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe.get()))
      out.append(buf.data(), n);
    const int status = ::pclose(pipe.release());
    if (status != 0) {
      ADD_FAILURE() << "kubectl " << args << " failed: " << out;
      return std::nullopt;
    }
    return out;
  }

  std::string uniqueName(const char* prefix) {
    return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  }

  std::string kubeconfig_;
  ClusterConfig config_;
};

TEST_F(KubeApiClientLive, ListsServiceAccountsThenWatchesOneBeingCreated) {
  ASSERT_TRUE(makeClient(config_));
  auto list = get("/api/v1/namespaces/default/serviceaccounts");
  ASSERT_TRUE(list.ok()) << list.error();
  ASSERT_EQ(list->status, 200) << list->body;
  rapidjson::Document doc;
  doc.Parse(list->body.c_str());
  ASSERT_TRUE(doc.IsObject() && doc.HasMember("metadata")) << list->body;
  EXPECT_STREQ(doc["kind"].GetString(), "ServiceAccountList");
  const std::string resourceVersion = doc["metadata"]["resourceVersion"].GetString();

  // Cluster-wide, from the list's resourceVersion: only changes after it arrive.
  const std::string name = uniqueName("live-watch");
  WatchLog log;
  std::mutex mutex;
  std::condition_variable cv;
  bool sawAdded = false;
  auto onLine = [&](std::string_view line) {
    rapidjson::Document event;
    event.Parse(line.data(), line.size());
    if (!event.IsObject() || !event.HasMember("type")) return;
    const std::string type = event["type"].GetString();
    const auto& object = event["object"];
    if (type == "ADDED" && object["metadata"].HasMember("name") &&
        name == object["metadata"]["name"].GetString()) {
      std::lock_guard lock(mutex);
      sawAdded = true;
      cv.notify_all();
    }
  };
  auto stream = client_->watch(
      "/api/v1/serviceaccounts?watch=1&allowWatchBookmarks=true&resourceVersion=" + resourceVersion, 30s,
      onLine, log.onClose());
  ASSERT_TRUE(kubectl("create serviceaccount " + name + " -n default").has_value());
  {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(cv.wait_for(lock, 20s, [&] { return sawAdded; })) << "no ADDED event for " << name;
  }
  stream->cancel();
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  EXPECT_NE(closed->error().find("cancelled"), std::string::npos) << closed->error();
  EXPECT_EQ(log.closed.count(), 1);

  // The GETs and the watch above shared at most a handful of connections.
  EXPECT_LE(client_->idleConnections(), 4u);
}

TEST_F(KubeApiClientLive, TheServerEndingAWatchAtTimeoutSecondsIsACleanClose) {
  ASSERT_TRUE(kubectl("create serviceaccount " + uniqueName("live-end") + " -n default").has_value());
  ASSERT_TRUE(makeClient(config_));
  WatchLog log;
  const auto start = std::chrono::steady_clock::now();
  // No resourceVersion: the server first replays what exists as ADDED events.
  client_->watch("/api/v1/serviceaccounts?watch=1&timeoutSeconds=1", 30s, log.onLine(), log.onClose());
  auto closed = log.closed.wait(15s);
  ASSERT_TRUE(closed.has_value());
  EXPECT_TRUE(closed->ok()) << closed->error();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  const auto lines = log.snapshot();
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines)
    EXPECT_EQ(line.rfind("{\"type\":\"ADDED\"", 0), 0u) << line;
}

TEST_F(KubeApiClientLive, AServiceAccountTokenFileAuthenticatesAndRbacAnswers403) {
  const std::string name = uniqueName("live-token");
  ASSERT_TRUE(kubectl("create serviceaccount " + name + " -n default").has_value());
  auto token = kubectl("create token " + name + " -n default --duration=10m");
  ASSERT_TRUE(token.has_value());
  testsupport::TempDir dir;
  testsupport::writeFileAtomically(dir.file("token"), *token);

  ClusterConfig config = config_;
  config.clientCertPem.clear();  // authenticate as the ServiceAccount only
  config.clientKeyPem.clear();
  config.tokenFile = dir.file("token");
  ASSERT_TRUE(makeClient(config));
  auto result = get("/api/v1/serviceaccounts?limit=1");
  ASSERT_TRUE(result.ok()) << result.error();
  // Authenticated (not 401) but not authorized: no RoleBinding exists.
  EXPECT_EQ(result->status, 403) << result->body;
  EXPECT_NE(result->body.find("system:serviceaccount:default:" + name), std::string::npos) << result->body;
}

TEST_F(KubeApiClientLive, AForbiddenWatchClosesWithTheStatus) {
  ClusterConfig config = config_;
  config.clientCertPem.clear();  // anonymous
  config.clientKeyPem.clear();
  ASSERT_TRUE(makeClient(config));
  WatchLog log;
  client_->watch("/api/v1/serviceaccounts?watch=1", 10s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  RecordProperty("watch_error", closed->error());
  // 401 when anonymous auth is off, 403 when anonymous is on but unauthorized.
  EXPECT_TRUE(closed->error().find("HTTP 401") != std::string::npos ||
              closed->error().find("HTTP 403") != std::string::npos)
      << closed->error();
}

}  // namespace
}  // namespace irsa::kube
