// Integration: irsa-bench against the real `irsa-webhook serve` on loopback,
// serving the ServiceAccounts of a generated corpus. Bounded runs, counts
// only: no timing assertions (the machine is shared).
#include <gtest/gtest.h>

#include "bench/CorpusFiles.hpp"
#include "bench/LoadConfig.hpp"
#include "bench/PodWriter.hpp"
#include "bench/test/BenchBinary.hpp"
#include "test/support/Slowdown.hpp"
#include "test/support/TestServer.hpp"
#include "webhook/Json.hpp"

namespace irsa::bench {
namespace {

using testsupport::readFile;
using testsupport::TestServer;

constexpr std::size_t kCorpusCount = 200;

class BenchServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    work_ = std::make_unique<testsupport::TempDir>();
    const auto r = runBench({"corpus", "--out", corpus(), "--count", std::to_string(kCorpusCount), "--size",
                             "mixed", "--seed", "3"},
                            work_->path());
    ASSERT_EQ(r.status.code, 0) << r.err;
    TestServer::Options options;
    options.serviceAccounts = readFile(std::filesystem::path(corpus()) / kServiceAccountsFile);
    server_ = TestServer::start(options);
  }
  static void TearDownTestSuite() {
    server_.reset();
    work_.reset();
  }
  void SetUp() override { ASSERT_TRUE(server_) << "the shared server did not start"; }

  static std::string corpus() { return work_->file("corpus"); }
  static std::string url() {
    return "https://127.0.0.1:" + std::to_string(server_->port()) + "/mutate?timeout=10s";
  }

  // Runs irsa-bench `command` with the connection flags; returns its JSON report.
  static rapidjson::Document bench(const std::string& command, std::vector<std::string> extra) {
    const std::string json = work_->file(command + "-" + std::to_string(++runs_) + ".json");
    std::vector<std::string> args = {command,     "--url",           url(),    "--corpus", corpus(),
                                     "--ca-file", server_->caFile(), "--json", json};
    // The per-request timeout as a guard of this build (Slowdown.hpp): an
    // open-loop run counts what is still queued at its end plus the timeout
    // as timed out, and a TSan server answers several times slower.
    const auto timeout = testsupport::guard(LoadConfig{}.timeout);
    args.insert(args.end(), {"--timeout", std::to_string(timeout.count()) + "ms"});
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = runBench(args, work_->path(), std::chrono::seconds(60));
    EXPECT_FALSE(r.timedOut);
    EXPECT_EQ(r.status.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("| ", 0), 0u) << "a Markdown table on stdout: " << r.out;
    rapidjson::Document doc;
    EXPECT_TRUE(webhook::parseJson(doc, readFile(json), 20).ok()) << readFile(json);
    if (!doc.IsObject()) doc.SetObject();
    return doc;
  }

  // How many of requests [first, first + n) of a run are of the mutated kind
  // (request i uses corpus entry i modulo its size).
  static std::uint64_t mutatedAmong(std::uint64_t first, std::uint64_t n) {
    std::vector<bool> mutated;
    const std::string text = readFile(std::filesystem::path(corpus()) / kRequestsFile);
    const std::string marker = std::string("\"") + kKindAnnotation + "\":\"mutated\"";
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = text.find('\n', start);
      mutated.push_back(text.substr(start, end - start).find(marker) != std::string::npos);
      start = end + 1;
    }
    EXPECT_EQ(mutated.size(), kCorpusCount);
    std::uint64_t count = 0;
    for (std::uint64_t i = first; i < first + n; ++i)
      count += mutated[i % mutated.size()];
    return count;
  }

  static void expectClean(const rapidjson::Value& results, std::uint64_t requests) {
    EXPECT_EQ(results["requests"].GetUint64(), requests);
    EXPECT_EQ(results["ok"].GetUint64(), requests) << "every answer a 2xx, allowed, echoing its uid";
    EXPECT_EQ(results["non2xx"].GetUint64(), 0u);
    EXPECT_EQ(results["invalid"].GetUint64(), 0u);
    EXPECT_EQ(results["errors"]["total"].GetUint64(), 0u);
    EXPECT_EQ(results["latencyMs"]["count"].GetUint64(), requests);
    EXPECT_EQ(results["sentByKind"]["unknown"].GetUint64(), 0u);
  }

  static std::unique_ptr<testsupport::TempDir> work_;
  static std::unique_ptr<TestServer> server_;
  static int runs_;
};

std::unique_ptr<testsupport::TempDir> BenchServeTest::work_;
std::unique_ptr<TestServer> BenchServeTest::server_;
int BenchServeTest::runs_ = 0;

TEST_F(BenchServeTest, OpenLoopKeepAliveRunMutatesExactlyTheAnnotatedShare) {
  const auto doc =
      bench("run", {"--rate", "500", "--requests", "300", "--warmup", "0", "--connections", "4", "--label",
                    "open", "--server-pid", std::to_string(server_->process().pid())});
  ASSERT_TRUE(doc.HasMember("results"));
  EXPECT_EQ(doc["schemaVersion"].GetInt(), 1);
  EXPECT_STREQ(doc["command"].GetString(), "run");
  EXPECT_STREQ(doc["label"].GetString(), "open");
  EXPECT_STREQ(doc["config"]["mode"].GetString(), "open");
  const auto& results = doc["results"];
  expectClean(results, 300);
  EXPECT_EQ(results["mutated"].GetUint64(), mutatedAmong(0, 300));
  EXPECT_EQ(results["sentByKind"]["mutated"].GetUint64(), results["mutated"].GetUint64());
  EXPECT_EQ(results["handshakes"]["count"].GetUint64(), 0u) << "connections opened before the window";
  ASSERT_TRUE(results["server"].IsObject());
  EXPECT_GT(results["server"]["rssBytesEnd"].GetUint64(), 0u);
  EXPECT_GE(results["server"]["cpuSeconds"].GetDouble(), 0.0);
}

TEST_F(BenchServeTest, NewConnectionPerRequestHandshakesEveryTime) {
  const auto doc = bench("run", {"--rate", "100", "--requests", "50", "--warmup", "0", "--connections", "4",
                                 "--new-connection-per-request"});
  ASSERT_TRUE(doc.HasMember("results"));
  const auto& results = doc["results"];
  expectClean(results, 50);
  EXPECT_EQ(results["handshakes"]["count"].GetUint64(), 50u);
  EXPECT_EQ(results["mutated"].GetUint64(), mutatedAmong(0, 50));
}

TEST_F(BenchServeTest, ClosedLoopWithWarmupMeasuresOnlyTheWindow) {
  const auto doc = bench("run", {"--rate", "0", "--requests", "200", "--warmup", "200ms", "--connections",
                                 "3", "--threads", "2"});
  ASSERT_TRUE(doc.HasMember("results"));
  const auto& results = doc["results"];
  expectClean(results, 200);
  EXPECT_STREQ(doc["config"]["mode"].GetString(), "closed");
  EXPECT_TRUE(results["targetRate"].IsNull());
  const auto& kinds = results["sentByKind"];
  EXPECT_EQ(kinds["mutated"].GetUint64() + kinds["plain"].GetUint64() + kinds["configmap"].GetUint64(), 200u);
  EXPECT_EQ(results["mutated"].GetUint64(), kinds["mutated"].GetUint64());
}

TEST_F(BenchServeTest, StormOpensEveryConnectionAtOnce) {
  const auto doc = bench("storm", {"--connections", "20"});
  ASSERT_TRUE(doc.HasMember("results"));
  const auto& results = doc["results"];
  expectClean(results, 20);
  EXPECT_EQ(results["handshakes"]["count"].GetUint64(), 20u);
  EXPECT_TRUE(results["allCompletedSeconds"].IsNumber());
  EXPECT_EQ(results["mutated"].GetUint64(), mutatedAmong(0, 20));
}

TEST_F(BenchServeTest, HandshakesCountsFullHandshakes) {
  const auto doc = bench("handshakes", {"--duration", "500ms", "--warmup", "0", "--connections", "2"});
  ASSERT_TRUE(doc.HasMember("results"));
  const auto& results = doc["results"];
  EXPECT_GT(results["requests"].GetUint64(), 0u);
  EXPECT_EQ(results["handshakes"]["count"].GetUint64(), results["requests"].GetUint64());
  EXPECT_EQ(results["errors"]["total"].GetUint64(), 0u);
  EXPECT_EQ(results["ok"].GetUint64(), results["requests"].GetUint64());
  EXPECT_TRUE(results["handshakesPerSecond"].IsNumber());
}

TEST_F(BenchServeTest, SaturateReportsItsStepsWithinTheStepBound) {
  const auto doc = bench("saturate", {"--start-rate", "100", "--max-rate", "200", "--step-duration", "300ms",
                                      "--warmup", "0", "--max-steps", "2", "--p99-bound", "10s"});
  ASSERT_TRUE(doc.HasMember("results"));
  const auto& results = doc["results"];
  ASSERT_TRUE(results["steps"].IsArray());
  EXPECT_GE(results["steps"].Size(), 1u);
  EXPECT_LE(results["steps"].Size(), 2u);
  EXPECT_EQ(results["steps"][0]["rate"].GetDouble(), 100.0);
  for (const auto& step : results["steps"].GetArray()) {
    EXPECT_EQ(step["results"]["errors"]["total"].GetUint64(), 0u);
  }
}

}  // namespace
}  // namespace irsa::bench
