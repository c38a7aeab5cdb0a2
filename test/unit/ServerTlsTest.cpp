// Integration: what the real server negotiates over TLS on 127.0.0.1
// (versions, ALPN) and that bad handshakes never take it down.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

class ServerTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = TestServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_) << "the shared server did not start"; }

  // A fresh, normal client still gets an answer.
  static void expectStillServing() {
    EXPECT_TRUE(server_->process().running()) << server_->process().stderrText();
    Reply reply = server_->request(makeRequest(http::verb::get, "/healthz"));
    ASSERT_FALSE(reply.ec) << reply.ec.message();
    EXPECT_EQ(reply.response.result(), http::status::ok);
  }

  static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> ServerTlsTest::server_;

TEST_F(ServerTlsTest, Tls13IsNegotiatedByDefault) {
  TestClient client;
  ASSERT_FALSE(client.connectTls(server_->port(), server_->trust()));
  EXPECT_EQ(client.tlsVersion(), "TLSv1.3");
}

TEST_F(ServerTlsTest, Tls12ClientIsAcceptedByDefault) {
  TlsClientOptions options = server_->trust();
  options.maxVersion = TLS1_2_VERSION;
  TestClient client;
  const error_code ec = client.connectTls(server_->port(), options);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(client.tlsVersion(), "TLSv1.2");
  Reply reply = client.exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);
}

TEST_F(ServerTlsTest, AlpnOfferingH2AndHttp11SelectsHttp11) {
  TlsClientOptions options = server_->trust();
  options.alpn = {"h2", "http/1.1"};
  TestClient client;
  const error_code ec = client.connectTls(server_->port(), options);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(client.alpn(), "http/1.1");
  Reply reply = client.exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);
}

TEST_F(ServerTlsTest, AlpnOfferingOnlyH2IsDeclinedRatherThanFailed) {
  TlsClientOptions options = server_->trust();
  options.alpn = {"h2"};
  TestClient client;
  const error_code ec = client.connectTls(server_->port(), options);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(client.alpn(), "");
}

TEST_F(ServerTlsTest, ClientTrustingAnotherCaRejectsTheServer) {
  TempDir other;
  ASSERT_TRUE(makeDevCert(other.path() / "certs", other.path()));
  TlsClientOptions options;
  options.caFile = (other.path() / "certs" / "ca.crt").string();
  TestClient client;
  EXPECT_TRUE(client.connectTls(server_->port(), options));
}

TEST_F(ServerTlsTest, ClientCappedAtTls11FailsTheHandshakeAndTheServerKeepsServing) {
  const auto before = metricValue(server_->scrapeMetrics(), "irsa_webhook_tls_handshake_errors_total");
  ASSERT_TRUE(before);
  TlsClientOptions options = server_->trust();
  options.minVersion = TLS1_VERSION;
  options.maxVersion = TLS1_1_VERSION;
  options.allowLegacy = true;  // or OpenSSL 3 would not even send the ClientHello
  TestClient client;
  const error_code ec = client.connectTls(server_->port(), options);
  ASSERT_TRUE(ec) << "negotiated " << client.tlsVersion();
  EXPECT_NE(ec, beast::error::timeout);
  expectStillServing();
  // The server saw (and refused) the handshake: it was not a client-side refusal.
  EXPECT_GT(metricValue(server_->scrapeMetrics(), "irsa_webhook_tls_handshake_errors_total").value_or(0),
            *before)
      << "client error: " << ec.message();
}

TEST_F(ServerTlsTest, PlaintextHttpToTheTlsPortGetsNoHttpResponse) {
  TestClient client;
  ASSERT_FALSE(client.connectPlain(server_->port()));
  ASSERT_FALSE(client.writeRaw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const TestClient::Drained drained = client.readUntilClosed();
  EXPECT_TRUE(closedByPeer(drained.ec)) << "connection not closed: " << drained.ec.message();
  EXPECT_EQ(drained.bytes.find("HTTP/"), std::string::npos) << drained.bytes;
  expectStillServing();
}

TEST(ServerTlsMinVersionTest, Tls13MinimumRefusesATls12OnlyClient) {
  TestServer::Options serverOptions;
  serverOptions.extraArgs = {"--tls-min-version", "VersionTLS13"};
  auto server = TestServer::start(serverOptions);
  ASSERT_TRUE(server);

  TlsClientOptions tls12 = server->trust();
  tls12.maxVersion = TLS1_2_VERSION;
  TestClient refused;
  const error_code ec = refused.connectTls(server->port(), tls12);
  EXPECT_TRUE(ec) << "negotiated " << refused.tlsVersion();
  EXPECT_NE(ec, beast::error::timeout);

  TestClient accepted;
  ASSERT_FALSE(accepted.connectTls(server->port(), server->trust()));
  EXPECT_EQ(accepted.tlsVersion(), "TLSv1.3");
}

}  // namespace
}  // namespace irsa::testsupport
