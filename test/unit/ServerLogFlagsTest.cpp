// Integration: the real binary with klog's flags and the reference's log
// messages (DESIGN.md "Logs"): klog headers on stderr, the mutation and
// missing-ServiceAccount lines at the reference's verbosities, JSON lines,
// --log_file, and usage errors for bad values.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <csignal>
#include <regex>
#include <sstream>

#include "cli/Commands.hpp"
#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

using namespace std::chrono_literals;

const std::regex kKlogHeader(R"(^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} +\d+ [A-Za-z]+\.(cpp|hpp):\d+\] )");

std::unique_ptr<TestServer> startWith(std::vector<std::string> args) {
  TestServer::Options options;
  options.extraArgs = std::move(args);
  return TestServer::start(options);
}

std::string lineWith(const std::string& log, std::string_view needle) {
  const auto at = log.find(needle);
  if (at == std::string::npos) return "";
  const auto begin = log.rfind('\n', at);
  const auto start = begin == std::string::npos ? 0 : begin + 1;
  return log.substr(start, log.find('\n', at) - start);
}

TEST(ServerLogFlagsTest, ReferenceLoggingFlagsStartTheServerWithKlogHeaders) {
  auto server = startWith({"--logtostderr", "--v=2", "--alsologtostderr=false", "--stderrthreshold=INFO",
                           "--add_dir_header=false", "--skip_log_headers", "--one_output=false",
                           "--log_file_max_size=1800", "--legacy_stderr_threshold_behavior=true",
                           "--alsologtostderrthreshold=ERROR", "--vmodule=", "--log_dir=", "--log_file="});
  ASSERT_TRUE(server);
  const std::string log = server->process().stderrText();
  const std::string listening = lineWith(log, "] Listening on 127.0.0.1:" + std::to_string(server->port()));
  ASSERT_FALSE(listening.empty()) << log;
  EXPECT_TRUE(std::regex_search(listening, kKlogHeader)) << listening;
  EXPECT_EQ(listening.substr(listening.find("] ")),
            "] Listening on 127.0.0.1:" + std::to_string(server->port()));
  const std::string metrics = lineWith(log, " for metrics");
  EXPECT_NE(
      metrics.find("] Listening on 127.0.0.1:" + std::to_string(server->metricsPort()) + " for metrics"),
      std::string::npos)
      << log;
}

TEST(ServerLogFlagsTest, NoEffectFlagIsAcceptedAndSaysSoAtStart) {
  auto server = startWith({"--log_backtrace_at=main.go:10"});
  ASSERT_TRUE(server);
  const std::string log = server->process().stderrText();
  const std::string line = lineWith(log, "] Flag has no effect here flag=\"--log_backtrace_at\"");
  EXPECT_EQ(line.rfind("I", 0), 0u) << log;  // an info line, like the other accepted-but-unused flags
  EXPECT_NE(line.find("reason="), std::string::npos) << log;
}

TEST(ServerLogFlagsTest, MutationLogsPodWasMutatedAtV3Only) {
  for (const char* v : {"2", "3"}) {
    auto server = startWith({"-v", v});
    ASSERT_TRUE(server);
    const Reply reply =
        server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "u1", podJson("annotated"))));
    ASSERT_EQ(reply.response.result(), http::status::ok);
    const std::string log = server->process().stderrText();
    const std::string line = lineWith(log, "] Pod was mutated.");
    if (std::string(v) == "2") {
      EXPECT_TRUE(line.empty()) << log;
    } else {
      EXPECT_TRUE(std::regex_search(line, kKlogHeader)) << log;
      EXPECT_NE(line.find(R"(serviceAccount="annotated" namespace="default")"), std::string::npos) << line;
    }
  }
}

TEST(ServerLogFlagsTest, MissingServiceAccountIsAWarningAtDefaultVerbosity) {
  auto server = startWith({"--service-account-lookup-grace-period=50ms"});
  ASSERT_TRUE(server);
  const Reply reply =
      server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "u2", podJson("no-such-sa"))));
  ASSERT_EQ(reply.response.result(), http::status::ok);
  const std::string log = server->process().stderrText();
  const std::string waiting = lineWith(
      log, "] Service account default/no-such-sa not found in the cache. Waiting up to 50ms to be notified");
  EXPECT_EQ(waiting.rfind("W", 0), 0u) << log;
  const std::string giving =
      lineWith(log, "] Service account default/no-such-sa not found in the cache after 50ms. Not mutating.");
  EXPECT_EQ(giving.rfind("W", 0), 0u) << log;
}

// A client dropping its connection without a TLS close_notify is routine
// (kube-apiserver does it): a V4 detail, never a line at the default level.
TEST(ServerLogFlagsTest, RoutineConnectionClosesAreLoggedAtV4Only) {
  for (const char* v : {"0", "4"}) {
    auto server = startWith({"-v", v});
    ASSERT_TRUE(server);
    {
      auto client = server->connect();
      ASSERT_TRUE(client);
      const Reply reply = client->exchange(makeRequest(http::verb::get, "/healthz"));
      ASSERT_EQ(reply.response.result(), http::status::ok) << v;
      client->close();
    }
    // The server must read the close before the signal comes, or the drain
    // closes the connection instead (and logs nothing at any level).
    if (std::string(v) == "4") {
      server->process().waitForLog("onnection closed err=", 10s);  // logged as it reads the close
    } else {  // nothing to wait for in the log: until the scrape's own connection is the only one
      server->scrapeMetricsUntil(
          [](const std::string& m) { return metricValue(m, "irsa_webhook_connections_active") == 1.0; });
    }
    server->process().signal(SIGTERM);
    ASSERT_TRUE(server->process().waitExit(10s)) << v;
    const std::string log = server->process().stderrText();
    const bool logged = log.find("onnection closed err=") != std::string::npos;
    EXPECT_EQ(logged, std::string(v) == "4") << "-v " << v << "\n" << log;
  }
}

TEST(ServerLogFlagsTest, JsonFormatWritesParsableLines) {
  TestServer::Options options;
  options.extraArgs = {"--logging-format=json"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  ASSERT_TRUE(pollUntil(
      [&] { return server->process().stderrText().find(R"("msg":"Webhook started")") != std::string::npos; },
      10s))
      << server->process().stderrText();
  std::istringstream lines(server->process().stderrText());
  std::string line;
  int parsed = 0;
  bool listening = false;
  while (std::getline(lines, line)) {
    rapidjson::Document doc;
    doc.Parse(line.c_str());
    ASSERT_FALSE(doc.HasParseError()) << line;
    ASSERT_TRUE(doc.IsObject() && doc.HasMember("ts") && doc.HasMember("caller") && doc.HasMember("msg"))
        << line;
    listening = listening || std::string(doc["msg"].GetString()).rfind("Listening on ", 0) == 0;
    ++parsed;
  }
  EXPECT_GT(parsed, 0);
  EXPECT_TRUE(listening);
}

TEST(ServerLogFlagsTest, LogFileReceivesTheLinesInsteadOfStderr) {
  TempDir dir;
  const std::string file = dir.file("webhook.log");
  TestServer::Options options;
  options.extraArgs = {"--logtostderr=false", "--log_file", file};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  ASSERT_TRUE(pollUntil([&] { return readFile(file).find("] Webhook started ") != std::string::npos; }, 10s))
      << readFile(file) << server->process().stderrText();
  EXPECT_EQ(server->process().stderrText().find("Listening on"), std::string::npos);
}

TEST(ServerLogFlagsTest, BadLoggingValuesAreUsageErrors) {
  TempDir dir;
  for (const char* flag :
       {"--logging-format=yaml", "--stderrthreshold=LOUD", "--vmodule=a", "--log_backtrace_at=x"}) {
    const RunResult r = runBinary({"serve", flag, "--service-accounts", "/dev/null"}, dir.path(), 10s);
    ASSERT_TRUE(r.status.exited) << flag;
    EXPECT_EQ(r.status.code, cli::kExitUsage) << flag << ": " << r.err;
  }
}

}  // namespace
}  // namespace irsa::testsupport
