// --enable-debugging-handlers, on the ports the reference serves them on:
// the cache dump and clear on the metrics port, deny and 500 on the webhook
// port (counted in http_request_count like /mutate). Without the flag none
// of the paths exists.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

Reply metricsPortRequest(TestServer& server, http::verb method, const std::string& path) {
  TestClient client;
  if (auto ec = client.connectPlain(server.metricsPort())) return Reply{ec, {}};
  return client.exchange(makeRequest(method, path));
}

std::unique_ptr<TestServer> debugServer() {
  TestServer::Options options;
  options.extraArgs = {"--enable-debugging-handlers", "--token-expiration", "7200"};
  return TestServer::start(options);
}

TEST(ServerDebugTest, CacheDumpOnTheMetricsPortListsEveryServiceAccountWithItsResolvedParameters) {
  auto server = debugServer();
  ASSERT_TRUE(server);
  Reply reply = metricsPortRequest(*server, http::verb::get, "/debug/alpha/cache");
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  ASSERT_EQ(reply.response.result(), http::status::ok) << reply.response.body();
  rapidjson::Document doc;
  doc.Parse(reply.response.body().c_str());
  ASSERT_TRUE(doc.IsObject()) << reply.response.body();
  ASSERT_TRUE(doc.HasMember("default/annotated"));
  ASSERT_TRUE(doc.HasMember("default/plain"));
  const auto& annotated = doc["default/annotated"];
  EXPECT_STREQ(annotated["RoleARN"].GetString(), kRoleArn);
  EXPECT_STREQ(annotated["Audience"].GetString(), "sts.amazonaws.com");
  EXPECT_FALSE(annotated["UseRegionalSTS"].GetBool());
  EXPECT_EQ(annotated["TokenExpiration"].GetInt64(), 7200);
  EXPECT_STREQ(doc["default/plain"]["RoleARN"].GetString(), "");

  // Any method, as the reference's handler.
  EXPECT_EQ(metricsPortRequest(*server, http::verb::post, "/debug/alpha/cache").response.result(),
            http::status::ok);
  // Not on the webhook port.
  EXPECT_EQ(server->request(makeRequest(http::verb::get, "/debug/alpha/cache")).response.result(),
            http::status::not_found);
}

TEST(ServerDebugTest, ClearAnswersOkAndAFileSourceKeepsItsServiceAccounts) {
  auto server = debugServer();
  ASSERT_TRUE(server);
  Reply cleared = metricsPortRequest(*server, http::verb::get, "/debug/alpha/cache/clear");
  ASSERT_FALSE(cleared.ec) << cleared.ec.message();
  EXPECT_EQ(cleared.response.result(), http::status::ok);
  EXPECT_EQ(cleared.response.body(), "");
  // --service-accounts is the truth itself: nothing is stale, nothing dropped.
  Reply dump = metricsPortRequest(*server, http::verb::get, "/debug/alpha/cache");
  rapidjson::Document doc;
  doc.Parse(dump.response.body().c_str());
  ASSERT_TRUE(doc.IsObject()) << dump.response.body();
  EXPECT_TRUE(doc.HasMember("default/annotated"));
}

TEST(ServerDebugTest, DenyAndInternalErrorOnTheWebhookPortAreCountedLikeMutate) {
  auto server = debugServer();
  ASSERT_TRUE(server);
  Reply deny = server->request(makeRequest(http::verb::post, "/debug/alpha/deny"));
  ASSERT_FALSE(deny.ec) << deny.ec.message();
  EXPECT_EQ(deny.response.result(), http::status::ok);
  rapidjson::Document doc;
  doc.Parse(deny.response.body().c_str());
  ASSERT_TRUE(doc.IsObject()) << deny.response.body();
  ASSERT_TRUE(doc.HasMember("response")) << deny.response.body();
  const auto& response = doc["response"];
  EXPECT_FALSE(response["allowed"].GetBool());
  EXPECT_STREQ(response["uid"].GetString(), "");
  ASSERT_TRUE(response.HasMember("status"));
  EXPECT_TRUE(response["status"]["metadata"].IsObject());
  EXPECT_GT(response["status"]["message"].GetStringLength(), 0u);

  Reply failed = server->request(makeRequest(http::verb::get, "/debug/alpha/500"));
  ASSERT_FALSE(failed.ec) << failed.ec.message();
  EXPECT_EQ(failed.response.result(), http::status::internal_server_error);
  // Not on the metrics port.
  EXPECT_EQ(metricsPortRequest(*server, http::verb::get, "/debug/alpha/deny").response.result(),
            http::status::not_found);

  // Counted after the answer is written: poll.
  const std::string denied = R"(http_request_count{code="200",path="/debug/alpha/deny",verb="POST"})";
  const std::string errored = R"(http_request_count{code="500",path="/debug/alpha/500",verb="GET"})";
  const std::string metrics = server->scrapeMetricsUntil([&](const std::string& m) {
    return metricValue(m, errored).value_or(0) >= 1 && metricValue(m, denied).value_or(0) >= 1;
  });
  EXPECT_EQ(metricValue(metrics, denied), 1.0) << metrics;
  EXPECT_EQ(metricValue(metrics, errored), 1.0) << metrics;
  EXPECT_EQ(metricValue(metrics, R"(http_request_latencies_count{path="/debug/alpha/500",verb="GET"})"), 1.0)
      << metrics;
}

TEST(ServerDebugTest, NoDebugPathExistsWithoutTheFlag) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  for (const char* path : {"/debug/alpha/deny", "/debug/alpha/500"}) {
    EXPECT_EQ(server->request(makeRequest(http::verb::get, path)).response.result(), http::status::not_found)
        << path;
  }
  for (const char* path : {"/debug/alpha/cache", "/debug/alpha/cache/clear"}) {
    EXPECT_EQ(metricsPortRequest(*server, http::verb::get, path).response.result(), http::status::not_found)
        << path;
  }
  EXPECT_EQ(server->request(makeRequest(http::verb::get, "/healthz")).response.result(), http::status::ok);

  // 404s and probes are ours to count, not the reference's http_request_count.
  const std::string notFound =
      R"(irsa_webhook_http_requests_total{code="404",listener="webhook",path="other"})";
  const std::string probe =
      R"(irsa_webhook_http_requests_total{code="200",listener="webhook",path="/healthz"})";
  const std::string metrics = server->scrapeMetricsUntil([&](const std::string& m) {
    return metricValue(m, notFound).value_or(0) >= 2 && metricValue(m, probe).value_or(0) >= 1;
  });
  EXPECT_EQ(metricValue(metrics, notFound), 2.0) << metrics;
  EXPECT_EQ(metricValue(metrics, probe), 1.0) << metrics;
  EXPECT_EQ(metrics.find("\nhttp_request_count{"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("\nhttp_request_latencies_bucket{"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace irsa::testsupport
