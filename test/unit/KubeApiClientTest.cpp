// KubeApiClient::get and post against a scripted HTTPS server on 127.0.0.1 (port 0):
// responses, TLS trust and client certificates, timeouts, keep-alive and the
// client-side rate limiter. Watches are in KubeWatchStreamTest.cpp.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <stdexcept>

#include "test/support/TempDir.hpp"
#include "test/unit/KubeApiClientFixture.hpp"

namespace irsa::kube {
namespace {

using namespace std::chrono_literals;
using kubetest::kWaitLimit;
using kubetest::respond;
using testsupport::FakeApiServer;
using testsupport::FakeRequest;
using testsupport::FakeScript;
using Clock = std::chrono::steady_clock;
using KubeApiClientTest = kubetest::KubeApiClientFixture;

// ---- GET -------------------------------------------------------------------

TEST_F(KubeApiClientTest, GetReturnsTheStatusAndBodyOfA200) {
  ASSERT_TRUE(
      startServer([](const FakeRequest&) { return respond(200, R"({"kind":"ServiceAccountList"})"); }));
  ASSERT_TRUE(makeClient());
  auto result = get("/api/v1/serviceaccounts?limit=500");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, R"({"kind":"ServiceAccountList"})");
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, "/api/v1/serviceaccounts?limit=500");
  EXPECT_EQ(seen[0].accept, "application/json");
  EXPECT_EQ(seen[0].userAgent, "irsa-webhook");
  EXPECT_EQ(seen[0].host, "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_EQ(seen[0].authorization, "");
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].contentType, "");
  EXPECT_EQ(seen[0].body, "");
}

TEST_F(KubeApiClientTest, A404IsAResponseNotATransportError) {
  ASSERT_TRUE(
      startServer([](const FakeRequest&) { return respond(404, R"({"kind":"Status","code":404})"); }));
  ASSERT_TRUE(makeClient());
  auto result = get("/api/v1/namespaces/x/serviceaccounts/missing");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->body, R"({"kind":"Status","code":404})");
}

TEST_F(KubeApiClientTest, TheServerUrlPathPrefixesEveryTarget) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  auto config = configFor(*server_);
  config.basePath = "/k8s/clusters/c-1";
  ASSERT_TRUE(makeClient(config));
  ASSERT_TRUE(get("/api/v1/serviceaccounts").ok());
  EXPECT_EQ(server_->requests().at(0).target, "/k8s/clusters/c-1/api/v1/serviceaccounts");
}

TEST_F(KubeApiClientTest, SendsAStaticBearerToken) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  auto config = configFor(*server_);
  config.bearerToken = "static-token";
  ASSERT_TRUE(makeClient(config));
  ASSERT_TRUE(get("/api").ok());
  EXPECT_EQ(server_->requests().at(0).authorization, "Bearer static-token");
}

TEST_F(KubeApiClientTest, RereadsTheTokenFileAfterItChanges) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  testsupport::TempDir dir;
  testsupport::writeFileAtomically(dir.file("token"), "first-token\n");
  auto config = configFor(*server_);
  config.bearerToken = "ignored-when-the-file-reads";
  config.tokenFile = dir.file("token");
  KubeApiClientOptions options;
  options.tokenRecheckInterval = 0ms;  // stat() on every request
  ASSERT_TRUE(makeClient(config, options));
  ASSERT_TRUE(get("/api").ok());
  testsupport::writeFileAtomically(dir.file("token"), "second-token-longer\n");
  ASSERT_TRUE(get("/api").ok());
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].authorization, "Bearer first-token");
  EXPECT_EQ(seen[1].authorization, "Bearer second-token-longer");
}

TEST_F(KubeApiClientTest, AMissingTokenFileFailsCreate) {
  ClusterConfig config;
  config.host = "127.0.0.1";
  config.port = "443";
  config.tokenFile = "/nonexistent/irsa/token";
  auto client = KubeApiClient::create(ioc_, config, {});
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("/nonexistent/irsa/token"), std::string::npos) << client.error();
}

TEST_F(KubeApiClientTest, PresentsTheClientCertificateWhenTheServerRequiresOne) {
  certs::DevCertificateOptions clientOptions;
  clientOptions.commonName = "system:admin";
  clientOptions.clientAuth = true;
  auto clientCert = certs::generateDevCertificate(clientOptions);
  ASSERT_TRUE(clientCert.ok()) << clientCert.error();
  FakeApiServer::Options serverOptions;
  serverOptions.clientCaPem = clientCert->caCertPem;
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }, serverOptions));

  ASSERT_TRUE(makeClient());  // no client certificate: the handshake fails
  auto refused = get("/api");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().rfind("GET /api: ", 0), 0u) << refused.error();

  auto config = configFor(*server_);
  config.clientCertPem = clientCert->certPem;
  config.clientKeyPem = clientCert->keyPem;
  ASSERT_TRUE(makeClient(config));
  auto accepted = get("/api");
  ASSERT_TRUE(accepted.ok()) << accepted.error();
  EXPECT_EQ(accepted->status, 200);
  EXPECT_TRUE(server_->requests().back().clientCertificate);
}

TEST_F(KubeApiClientTest, AClientKeyThatDoesNotMatchFailsCreate) {
  auto a = certs::generateDevCertificate({});
  auto b = certs::generateDevCertificate({});
  ASSERT_TRUE(a.ok() && b.ok());
  ClusterConfig config;
  config.host = "127.0.0.1";
  config.port = "443";
  config.clientCertPem = a->certPem;
  config.clientKeyPem = b->keyPem;
  auto client = KubeApiClient::create(ioc_, config, {});
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.error().find("client certificate"), std::string::npos) << client.error();
}

TEST_F(KubeApiClientTest, AServerCertificateFromAnotherCaIsATransportError) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  auto stranger = certs::generateDevCertificate({});
  ASSERT_TRUE(stranger.ok());
  auto config = configFor(*server_);
  config.caPem = stranger->caCertPem;
  ASSERT_TRUE(makeClient(config));
  auto result = get("/api");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().rfind("GET /api: TLS handshake with 127.0.0.1:", 0), 0u) << result.error();
  EXPECT_NE(result.error().find("certificate verify failed"), std::string::npos) << result.error();
  EXPECT_TRUE(server_->requests().empty());
}

TEST_F(KubeApiClientTest, ACertificateForAnotherHostIsRefusedUnlessTlsServerNameNamesIt) {
  FakeApiServer::Options options;
  options.cert.dnsNames = {"api.other.example"};
  options.cert.ipAddresses = {};
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }, options));
  ASSERT_TRUE(makeClient());
  auto mismatch = get("/api");
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().find("IP address mismatch"), std::string::npos) << mismatch.error();

  auto config = configFor(*server_);
  config.tlsServerName = "api.other.example";
  ASSERT_TRUE(makeClient(config));
  auto named = get("/api");
  ASSERT_TRUE(named.ok()) << named.error();
  EXPECT_EQ(named->status, 200);
}

TEST_F(KubeApiClientTest, AHostNameIsResolvedAndVerifiedAgainstTheCertificate) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));  // cert: localhost
  auto config = configFor(*server_);
  config.host = "localhost";  // may resolve to ::1 first, where nothing listens: the next address is tried
  ASSERT_TRUE(makeClient(config));
  auto result = get("/api");
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(server_->requests().at(0).host, "localhost:" + std::to_string(server_->port()));
}

TEST_F(KubeApiClientTest, InsecureSkipTlsVerifyAcceptsAnUnknownCertificate) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  auto config = configFor(*server_);
  config.caPem.clear();
  config.insecureSkipTlsVerify = true;
  ASSERT_TRUE(makeClient(config));
  auto result = get("/api");
  ASSERT_TRUE(result.ok()) << result.error();
}

TEST_F(KubeApiClientTest, TimesOutWithinTheDeadlineWhenTheServerNeverAnswers) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return FakeScript{testsupport::hang()}; }));
  ASSERT_TRUE(makeClient());
  const auto start = Clock::now();
  auto result = get("/api", 300ms);
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("GET /api: timed out after 300ms"), std::string::npos) << result.error();
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_F(KubeApiClientTest, ARefusedConnectionIsATransportError) {
  unsigned short port = 0;
  {
    boost::asio::io_context probe;
    boost::asio::ip::tcp::acceptor acceptor(probe, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed again: nothing listens there now
  ClusterConfig config;
  config.host = "127.0.0.1";
  config.port = std::to_string(port);
  ASSERT_TRUE(makeClient(config));
  auto result = get("/api", 2s);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().rfind("GET /api: connect to 127.0.0.1:" + std::to_string(port), 0), 0u)
      << result.error();
}

TEST_F(KubeApiClientTest, ABodyOverTheLimitIsATransportError) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, std::string(4096, 'x')); }));
  KubeApiClientOptions options;
  options.maxResponseBytes = 1024;
  ASSERT_TRUE(makeClient(configFor(*server_), options));
  auto result = get("/api");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("exceeds 1024 bytes"), std::string::npos) << result.error();
}

TEST_F(KubeApiClientTest, SequentialGetsReuseOneKeepAliveConnection) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  ASSERT_TRUE(makeClient());
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(get("/api").ok());
  EXPECT_EQ(server_->connections(), 1);
  EXPECT_EQ(client_->idleConnections(), 1u);
}

TEST_F(KubeApiClientTest, AConnectionTheServerClosedIsReplacedTransparently) {
  // Each answer is followed by the server closing the keep-alive connection.
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{testsupport::writeRaw(testsupport::httpResponse(200, "{}")),
                      testsupport::closeConnection()};
  }));
  ASSERT_TRUE(makeClient());
  for (int i = 0; i < 3; ++i) {
    auto result = get("/api");
    ASSERT_TRUE(result.ok()) << result.error();
  }
  EXPECT_EQ(server_->connections(), 3);
}

TEST_F(KubeApiClientTest, ConcurrentGetsFromManyThreadsAllComplete) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{testsupport::pauseFor(5ms),
                      testsupport::writeRaw(testsupport::httpResponse(200, "{}"))};
  }));
  KubeApiClientOptions options;
  options.maxIdleConnections = 2;
  ASSERT_TRUE(makeClient(configFor(*server_), options));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::mutex mutex;
  std::condition_variable cv;
  int ok = 0;
  int finished = 0;
  std::vector<std::thread> callers;
  callers.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        client_->get("/api", 5s, RateLimit::kWait, [&](util::Result<ApiResponse> r) {
          std::lock_guard lock(mutex);
          ok += r.ok() && r->status == 200 ? 1 : 0;
          ++finished;
          cv.notify_all();
        });
      }
    });
  }
  for (auto& t : callers)
    t.join();
  std::unique_lock lock(mutex);
  ASSERT_TRUE(cv.wait_for(lock, kWaitLimit, [&] { return finished == kThreads * kPerThread; }));
  EXPECT_EQ(ok, kThreads * kPerThread);
  EXPECT_LE(client_->idleConnections(), 2u);
}

// A callback that throws must not take the client's I/O thread (and with it
// the server) down: the exception is logged and stopped, and the next request
// is served as usual.
TEST_F(KubeApiClientTest, ACallbackThatThrowsDoesNotStopTheClient) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  ASSERT_TRUE(makeClient());
  std::mutex mutex;
  std::condition_variable cv;
  bool called = false;
  client_->get("/api", 5s, RateLimit::kWait, [&](util::Result<ApiResponse>) {
    {
      std::lock_guard lock(mutex);
      called = true;
    }
    cv.notify_all();
    throw std::runtime_error("caller bug");
  });
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(cv.wait_for(lock, kWaitLimit, [&] { return called; }));
  }
  auto next = get("/api");
  ASSERT_TRUE(next.ok()) << next.error();
  EXPECT_EQ(next->status, 200);
}

// ---- rate limiter ----------------------------------------------------------

TEST_F(KubeApiClientTest, WithNoFreeTokenSkipFailsAtOnceAndWaitSucceedsLater) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  KubeApiClientOptions options;
  options.qps = 1;
  options.burst = 1;
  ASSERT_TRUE(makeClient(configFor(*server_), options));
  ASSERT_TRUE(get("/api").ok());  // takes the only token

  const auto skipStart = Clock::now();
  auto skipped = get("/api", 5s, RateLimit::kSkipIfLimited);
  ASSERT_FALSE(skipped.ok());
  EXPECT_EQ(skipped.failure().code, util::ErrorCode::kRateLimited);
  EXPECT_EQ(skipped.error(), kRateLimitedError);
  EXPECT_LT(Clock::now() - skipStart, 500ms);

  const auto waitStart = Clock::now();
  auto waited = get("/api", 5s, RateLimit::kWait);
  ASSERT_TRUE(waited.ok()) << waited.error();
  EXPECT_GE(Clock::now() - waitStart, 300ms);  // the token refills at 1/s
  EXPECT_EQ(server_->requests().size(), 2u);
}

TEST_F(KubeApiClientTest, AWaitLongerThanTheTimeoutFailsWithoutTakingAToken) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(200, "{}"); }));
  KubeApiClientOptions options;
  options.qps = 0.5;  // the next token comes in 2s
  options.burst = 1;
  ASSERT_TRUE(makeClient(configFor(*server_), options));
  ASSERT_TRUE(get("/api").ok());
  auto result = get("/api", 200ms, RateLimit::kWait);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("rate limit"), std::string::npos) << result.error();
  EXPECT_EQ(server_->requests().size(), 1u);
}

// ---- POST ------------------------------------------------------------------

TEST_F(KubeApiClientTest, PostSendsTheBodyAsJsonAndReturnsTheAnswer) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return respond(201, R"({"status":{"token":"t"}})"); }));
  ASSERT_TRUE(makeClient());
  const std::string body = R"({"kind":"TokenRequest","spec":{"audiences":["sts.amazonaws.com"]}})";
  auto result = post("/api/v1/namespaces/ns/serviceaccounts/app/token", body);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->status, 201);
  EXPECT_EQ(result->body, R"({"status":{"token":"t"}})");
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/api/v1/namespaces/ns/serviceaccounts/app/token");
  EXPECT_EQ(seen[0].contentType, "application/json");
  EXPECT_EQ(seen[0].body, body);
}

TEST_F(KubeApiClientTest, APostTheServerDropsOnAReusedConnectionIsNotRetriedButAGetIs) {
  // The 2nd request of the test: the server closes the connection without an
  // answer, as one that timed it out idle at that moment would.
  std::atomic<int> seen{0};
  ASSERT_TRUE(startServer([&seen](const FakeRequest&) {
    if (++seen == 2) return FakeScript{testsupport::closeConnection()};
    return respond(200, "{}");
  }));
  ASSERT_TRUE(makeClient());
  ASSERT_TRUE(get("/api").ok());
  auto posted = post("/api/v1/x", "{}");
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(posted.error().rfind("POST /api/v1/x: read response", 0), 0u) << posted.error();
  EXPECT_EQ(server_->requests().size(), 2u);  // sent once

  ASSERT_TRUE(get("/api").ok());  // on a new connection, kept idle
  seen = 1;                       // so the next request is dropped again
  auto got = get("/api");
  ASSERT_TRUE(got.ok()) << got.error();
  EXPECT_EQ(server_->requests().size(), 5u);  // the dropped GET was sent again
}

}  // namespace
}  // namespace irsa::kube
