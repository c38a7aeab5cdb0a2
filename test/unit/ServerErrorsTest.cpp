// Integration: how the real server answers bad requests (always a JSON
// Status with a 4xx, never a crash) and enforces its size and connection
// limits, over real TLS on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "test/support/TestServer.hpp"
#include "webhook/Json.hpp"

namespace irsa::testsupport {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kDefaultMaxRequestBytes = 7 * 1024 * 1024;

// The body is a Kubernetes Status carrying the HTTP code.
void expectErrorStatus(const Reply& reply, http::status code) {
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), code) << reply.response.body();
  EXPECT_EQ(reply.response[http::field::content_type], "application/json");
  rapidjson::Document doc;
  ASSERT_TRUE(webhook::parseJson(doc, reply.response.body(), 10).ok()) << reply.response.body();
  ASSERT_TRUE(doc.IsObject()) << reply.response.body();
  EXPECT_EQ(webhook::stringMember(doc, "kind"), "Status");
  EXPECT_EQ(webhook::stringMember(doc, "status"), "Failure");
  const rapidjson::Value* jsonCode = webhook::member(doc, "code");
  ASSERT_TRUE(jsonCode && jsonCode->IsInt()) << reply.response.body();
  EXPECT_EQ(jsonCode->GetInt(), static_cast<int>(code));
  EXPECT_FALSE(webhook::stringMember(doc, "message").empty()) << reply.response.body();
}

// A valid review of an annotated pod, padded with trailing spaces to `size`.
std::string reviewOfSize(std::size_t size) {
  std::string body = admissionReview("admission.k8s.io/v1", "sized", podJson("annotated"));
  body.resize(std::max(size, body.size()), ' ');
  return body;
}

class ServerErrorsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = TestServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_) << "the shared server did not start"; }

  static Reply post(std::string body, std::string contentType = "application/json") {
    return server_->request(mutateRequest(std::move(body), std::move(contentType)));
  }

  static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> ServerErrorsTest::server_;

TEST_F(ServerErrorsTest, WrongContentTypeIs415) {
  expectErrorStatus(post(admissionReview("admission.k8s.io/v1", "u", podJson("annotated")), "text/plain"),
                    http::status::unsupported_media_type);
}

TEST_F(ServerErrorsTest, JsonContentTypeWithParametersIsAccepted) {
  Reply reply = post(admissionReview("admission.k8s.io/v1", "u", podJson("annotated")),
                     "Application/JSON; charset=utf-8");
  ASSERT_FALSE(reply.ec);
  EXPECT_EQ(reply.response.result(), http::status::ok) << reply.response.body();
}

TEST_F(ServerErrorsTest, MalformedJsonIs400) {
  expectErrorStatus(post(R"({"apiVersion":"admission.k8s.io/v1","kind":)"), http::status::bad_request);
}

TEST_F(ServerErrorsTest, ReviewWithoutRequestIs400) {
  expectErrorStatus(post(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})"),
                    http::status::bad_request);
}

TEST_F(ServerErrorsTest, RequestWithoutUidIs400) {
  expectErrorStatus(post(admissionReview("admission.k8s.io/v1", "", podJson("annotated"))),
                    http::status::bad_request);
}

TEST_F(ServerErrorsTest, CreateWithoutObjectIs400) {
  expectErrorStatus(post(admissionReview("admission.k8s.io/v1", "u", "")), http::status::bad_request);
}

TEST_F(ServerErrorsTest, DeeplyNestedJsonIs400AndTheConnectionKeepsServing) {
  constexpr int kDepth = 10000;
  const std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
  auto client = server_->connect();
  ASSERT_TRUE(client);
  expectErrorStatus(client->exchange(mutateRequest(admissionReview("admission.k8s.io/v1", "deep", deep))),
                    http::status::bad_request);

  Reply next =
      client->exchange(mutateRequest(admissionReview("admission.k8s.io/v1", "next", podJson("annotated"))));
  ASSERT_FALSE(next.ec) << next.ec.message();
  EXPECT_EQ(next.response.result(), http::status::ok);
  EXPECT_NE(next.response.body().find("\"patch\""), std::string::npos) << next.response.body();
  EXPECT_TRUE(server_->process().running());
}

TEST_F(ServerErrorsTest, BodyOfExactlyTheDefaultLimitIsAccepted) {
  Reply reply = post(reviewOfSize(kDefaultMaxRequestBytes));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok) << reply.response.body().substr(0, 300);
}

TEST_F(ServerErrorsTest, BodyAboveTheDefaultLimitIs413AndClosesTheConnection) {
  Reply reply = post(reviewOfSize(kDefaultMaxRequestBytes + 1));
  expectErrorStatus(reply, http::status::payload_too_large);
  EXPECT_FALSE(reply.response.keep_alive());
}

TEST_F(ServerErrorsTest, UnknownPathIs404) {
  expectErrorStatus(server_->request(makeRequest(http::verb::get, "/nope")), http::status::not_found);
  expectErrorStatus(
      server_->request(makeRequest(http::verb::post, "/mutate/extra", "{}", "application/json")),
      http::status::not_found);
}

TEST_F(ServerErrorsTest, GetOnMutateIs405WithAllowHeader) {
  Reply reply = server_->request(makeRequest(http::verb::get, "/mutate"));
  expectErrorStatus(reply, http::status::method_not_allowed);
  EXPECT_EQ(reply.response[http::field::allow], "POST");
}

TEST(ServerLimitsTest, MaxRequestBytesFlagSetsThe413Threshold) {
  constexpr std::size_t kLimit = 2048;
  TestServer::Options options;
  options.extraArgs = {"--max-request-bytes", std::to_string(kLimit)};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);

  Reply atLimit = server->request(mutateRequest(reviewOfSize(kLimit)));
  ASSERT_FALSE(atLimit.ec) << atLimit.ec.message();
  EXPECT_EQ(atLimit.response.result(), http::status::ok) << atLimit.response.body();

  expectErrorStatus(server->request(mutateRequest(reviewOfSize(kLimit + 1))),
                    http::status::payload_too_large);
}

// Every slot holds a connection that has begun a request (answered one, and
// kept alive): a new connection is closed at accept.
TEST(ServerLimitsTest, ConnectionAboveMaxConnectionsIsClosedAtOnceWhenEverySlotHasBegunARequest) {
  TestServer::Options options;
  options.extraArgs = {"--max-connections", "2"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto first = server->connect();
  auto second = server->connect();
  ASSERT_TRUE(first && second);
  for (auto* client : {first.get(), second.get()}) {
    Reply reply = client->exchange(makeRequest(http::verb::get, "/healthz"));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
  }

  TestClient third;
  const auto started = std::chrono::steady_clock::now();
  const error_code ec = third.connectTls(server->port(), server->trust());
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(ec) << "a third connection completed its TLS handshake";
  EXPECT_NE(ec, beast::error::timeout) << "the third connection was left open instead of closed";
  EXPECT_LT(elapsed, 2s);

  // The admitted connections are unaffected.
  Reply reply = first->exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);

  // The limit covers the metrics port too: free a slot, then scrape (poll:
  // the server notices the close asynchronously).
  second.reset();
  const std::string metrics = server->scrapeMetricsUntil([](const std::string& m) { return !m.empty(); });
  ASSERT_FALSE(metrics.empty()) << "no metrics scrape succeeded after freeing a slot";
  EXPECT_GE(metricValue(metrics, "irsa_webhook_connections_rejected_total").value_or(0), 1.0) << metrics;
  EXPECT_EQ(metricValue(metrics, "irsa_webhook_connections_evicted_total").value_or(-1), 0.0) << metrics;
}

// Connections that send nothing (no TLS ClientHello), a TLS one that sends
// no request, and one sending its header a byte at a time fill every slot:
// each newcomer takes the place of the oldest of them, and is answered.
TEST(ServerLimitsTest, AtMaxConnectionsANewConnectionEvictsTheOldestThatHasNotBegunARequest) {
  TestServer::Options options;
  options.extraArgs = {"--max-connections", "3"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto silent = std::make_unique<TestClient>();
  ASSERT_FALSE(silent->connectPlain(server->port()));
  auto quiet = server->connect();  // TLS, then nothing
  ASSERT_TRUE(quiet);
  auto slow = server->connect();
  ASSERT_TRUE(slow);
  ASSERT_FALSE(slow->writeRaw("G"));  // the header's first byte only

  std::vector<std::unique_ptr<TestClient>> newcomers;
  for (TestClient* evicted : {silent.get(), quiet.get(), slow.get()}) {
    auto newcomer = server->connect();
    ASSERT_TRUE(newcomer);
    Reply reply = newcomer->exchange(makeRequest(http::verb::get, "/healthz"));  // kept alive
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result(), http::status::ok);
    const auto drained = evicted->readUntilClosed();
    EXPECT_TRUE(closedByPeer(drained.ec)) << newcomers.size() << ": " << drained.ec.message();
    newcomers.push_back(std::move(newcomer));
  }

  // Now every slot has answered a request: a newcomer is refused.
  TestClient refused;
  EXPECT_TRUE(refused.connectTls(server->port(), server->trust()));
  newcomers.pop_back();  // room for the scrape
  const std::string metrics = server->scrapeMetricsUntil([](const std::string& m) { return !m.empty(); });
  EXPECT_EQ(metricValue(metrics, "irsa_webhook_connections_evicted_total").value_or(0), 3.0) << metrics;
  EXPECT_GE(metricValue(metrics, "irsa_webhook_connections_rejected_total").value_or(0), 1.0) << metrics;
  // Evictions are not failed handshakes.
  EXPECT_EQ(metricValue(metrics, "irsa_webhook_tls_handshake_errors_total").value_or(-1), 0.0) << metrics;
}

// A connection whose request header is in is never evicted: its request is
// answered while newcomers keep coming.
TEST(ServerLimitsTest, AConnectionThatHasBegunARequestIsNotEvicted) {
  TestServer::Options options;
  // Three: `busy`, the scrape's connection below (it has answered, so it is
  // not evictable either, and the server may not have seen it close yet when
  // the newcomers come), and one newcomer at a time.
  options.extraArgs = {"--max-connections", "3"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto busy = server->connect();
  ASSERT_TRUE(busy);
  // A header announcing a body that has not come yet: the request has begun.
  ASSERT_FALSE(
      busy->writeRaw("POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 2\r\n\r\n"));
  ASSERT_TRUE(pollUntil(  // the header read (the scrape is the second connection)
      [&] {
        const std::string m = server->scrapeMetrics();
        return !m.empty() && metricValue(m, "irsa_webhook_connections_active").value_or(0) == 2.0;
      },
      5s));
  // Kept open, so the later ones come at the limit: each evicts the oldest
  // newcomer, never `busy`.
  std::vector<std::unique_ptr<TestClient>> newcomers;
  for (int i = 0; i < 4; ++i) {
    newcomers.push_back(std::make_unique<TestClient>());
    ASSERT_FALSE(newcomers.back()->connectTls(server->port(), server->trust())) << i;
  }
  ASSERT_FALSE(busy->writeRaw("{}"));
  Reply reply = busy->readResponse();
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::bad_request) << reply.response.body();
  const std::string metrics = server->scrapeMetricsUntil([](const std::string& m) { return !m.empty(); });
  EXPECT_GE(metricValue(metrics, "irsa_webhook_connections_evicted_total").value_or(0), 2.0) << metrics;
}

}  // namespace
}  // namespace irsa::testsupport
