// Integration: SIGTERM drains the real server (DESIGN.md, STYLE.md rule 10):
// keep serving for --shutdown-delay with every answer closing its connection
// and /readyz 503, then stop accepting, answer the request in flight with
// `Connection: close`, close idle connections, exit 0 within
// --shutdown-timeout. TestServer passes --shutdown-delay=0s unless a test
// gives its own.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/beast/core/string.hpp>
#include <chrono>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

using namespace std::chrono_literals;

constexpr auto kExitDeadline = 5s;

// The header of a /mutate request that waits for `100 Continue` before its body.
std::string expectContinueHeader(std::size_t contentLength) {
  return "POST /mutate?timeout=10s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Expect: 100-continue\r\nContent-Length: " +
         std::to_string(contentLength) + "\r\n\r\n";
}

// Sends the header and waits for `100 Continue`: from then on the server is
// known to be reading this request's body (no race with the signal).
void startRequest(TestClient& client, std::size_t contentLength) {
  ASSERT_FALSE(client.writeRaw(expectContinueHeader(contentLength)));
  Reply interim = client.readResponse();
  ASSERT_FALSE(interim.ec) << interim.ec.message();
  ASSERT_EQ(interim.response.result(), http::status::continue_);
}

// Waits up to kExitDeadline: the process exited by itself, with code 0.
::testing::AssertionResult exitsZero(TestServer& server, const std::string& when) {
  const auto status = server.process().waitExit(kExitDeadline);
  if (!status) return ::testing::AssertionFailure() << when << ":\n" << server.process().stderrText();
  if (!status->exited) return ::testing::AssertionFailure() << "killed by signal " << status->signal;
  if (status->code != 0) return ::testing::AssertionFailure() << "exit code " << status->code;
  return ::testing::AssertionSuccess();
}

bool refusesConnections(unsigned short port) {
  TestClient client(1s);
  return client.connectPlain(port) == boost::asio::error::connection_refused;
}

TEST(ServerShutdownTest, SigtermClosesAnIdleKeepAliveConnectionAndExitsZero) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  auto client = server->connect();
  ASSERT_TRUE(client);
  Reply reply = client->exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(reply.ec);
  ASSERT_TRUE(reply.response.keep_alive());

  const auto started = std::chrono::steady_clock::now();
  server->process().signal(SIGTERM);
  const TestClient::Drained drained = client->readUntilClosed();
  EXPECT_TRUE(closedByPeer(drained.ec)) << "idle connection not closed: " << drained.ec.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);

  const auto status = server->process().waitExit(kExitDeadline);
  ASSERT_TRUE(status) << "still running after SIGTERM:\n" << server->process().stderrText();
  EXPECT_TRUE(status->exited) << "killed by signal " << status->signal;
  EXPECT_EQ(status->code, 0);
  const std::string log = server->process().stderrText();
  EXPECT_NE(log.find("] Context cancelled, beginning graceful shutdown"), std::string::npos) << log;
  EXPECT_NE(log.find("] Webhook server shutdown gracefully"), std::string::npos) << log;
  EXPECT_EQ(log.find("Webhook server shutdown error"), std::string::npos) << log;
}

// The answer to the request in flight, checked for a complete 200 with
// `Connection: close`, after which the server closes the connection.
void expectLastAnswer(TestClient& client, const std::string& body, const std::string& uid) {
  ASSERT_FALSE(client.writeRaw(body));
  Reply reply = client.readResponse();
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);
  EXPECT_TRUE(boost::beast::iequals(reply.response[http::field::connection], "close"))
      << "Connection: \"" << reply.response[http::field::connection] << "\"";
  EXPECT_TRUE(decodedPatch(reply)) << reply.response.body();
  EXPECT_NE(reply.response.body().find("\"uid\":\"" + uid + "\""), std::string::npos)
      << reply.response.body();
  EXPECT_TRUE(closedByPeer(client.readUntilClosed().ec));
}

TEST(ServerShutdownTest, RequestInFlightAtSigtermIsAnsweredWithConnectionCloseAndNewConnectionsAreRefused) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  auto idle = server->connect();
  auto client = server->connect();
  ASSERT_TRUE(idle && client);
  const std::string body = admissionReview("admission.k8s.io/v1", "in-flight", podJson("annotated"));
  ASSERT_NO_FATAL_FAILURE(startRequest(*client, body.size()));

  server->process().signal(SIGTERM);
  // The idle connection closing shows the drain has reached every connection.
  EXPECT_TRUE(closedByPeer(idle->readUntilClosed().ec));
  // Both listeners are closed; the drain is held open by our request.
  EXPECT_TRUE(pollUntil([&] { return refusesConnections(server->port()); }, 2s));
  EXPECT_TRUE(pollUntil([&] { return refusesConnections(server->metricsPort()); }, 2s));
  EXPECT_TRUE(server->process().running());

  ASSERT_NO_FATAL_FAILURE(expectLastAnswer(*client, body, "in-flight"));
  EXPECT_TRUE(exitsZero(*server, "still running after its last request"));
}

// Once the server has stopped accepting, every answer must close its
// connection; Server::beginDrain stops the file watchers (closing inotify
// descriptors takes milliseconds each) between closing the listeners and
// telling the connections, and answers in that window keep the connection.
TEST(ServerShutdownTest, AnswerAfterTheListenersCloseCarriesConnectionClose) {
  TempDir configDir;  // a third watched directory widens the window the test probes
  const std::string config = configDir.file("container-credentials.json");
  writeFileAtomically(config, R"({"identities":[]})");
  TestServer::Options options;
  options.extraArgs = {"--watch-container-credentials-config", config};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto client = server->connect();
  ASSERT_TRUE(client);
  const std::string body = admissionReview("admission.k8s.io/v1", "after-close", podJson("annotated"));
  ASSERT_NO_FATAL_FAILURE(startRequest(*client, body.size()));

  server->process().signal(SIGTERM);
  ASSERT_TRUE(pollUntil([&] { return refusesConnections(server->port()); }, kExitDeadline, 1ms));
  ASSERT_NO_FATAL_FAILURE(expectLastAnswer(*client, body, "after-close"));
  EXPECT_TRUE(exitsZero(*server, "still running"));
}

TEST(ServerShutdownTest, ShutdownTimeoutBoundsTheDrain) {
  TestServer::Options options;
  options.extraArgs = {"--shutdown-timeout", "1s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto client = server->connect();
  ASSERT_TRUE(client);
  // A request whose body never comes holds the drain open.
  ASSERT_NO_FATAL_FAILURE(startRequest(*client, 100));

  const auto started = std::chrono::steady_clock::now();
  server->process().signal(SIGTERM);
  const auto status = server->process().waitExit(kExitDeadline);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(status) << "drain not bounded by --shutdown-timeout:\n" << server->process().stderrText();
  EXPECT_TRUE(status->exited) << "killed by signal " << status->signal;
  EXPECT_EQ(status->code, 0);
  EXPECT_GE(elapsed, 900ms) << "exited before the in-flight request's deadline";
  EXPECT_LT(elapsed, 3s);
  EXPECT_NE(server->process().stderrText().find("] Webhook server shutdown error: context deadline exceeded"),
            std::string::npos)
      << server->process().stderrText();
}

// /readyz on the TLS port of a fresh connection: its status, 0 when refused.
int readyzStatus(TestServer& server) {
  Reply reply = server.request(makeRequest(http::verb::get, "/readyz"));
  return reply.ec ? 0 : static_cast<int>(reply.response.result_int());
}

bool closesConnection(const Reply& reply) {
  return boost::beast::iequals(reply.response[http::field::connection], "close");
}

// The SIGTERM-first order of a rollout: the apiserver still has this endpoint
// and pooled connections to it. Every request it sends during the delay is
// answered, on new connections and on kept-alive ones, and each answer ends
// its connection so the apiserver's pool lets go of this instance.
TEST(ServerShutdownTest, DuringTheDelayEveryRequestIsAnsweredWithConnectionCloseAndReadyzIs503) {
  TestServer::Options options;
  options.extraArgs = {"--shutdown-delay", "3s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto pooled = server->connect();
  ASSERT_TRUE(pooled);
  Reply first = pooled->exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(first.ec);
  ASSERT_TRUE(first.response.keep_alive());

  const auto started = std::chrono::steady_clock::now();
  server->process().signal(SIGTERM);
  ASSERT_TRUE(pollUntil([&] { return readyzStatus(*server) == 503; }, 2s)) << server->process().stderrText();

  // A kept-alive connection from before the signal: answered, then closed.
  const std::string body = admissionReview("admission.k8s.io/v1", "in-delay", podJson("annotated"));
  Reply onPooled = pooled->exchange(mutateRequest(body));
  ASSERT_FALSE(onPooled.ec) << onPooled.ec.message();
  EXPECT_EQ(onPooled.response.result(), http::status::ok);
  EXPECT_TRUE(closesConnection(onPooled)) << "Connection: "
                                             " << onPooled.response[http::field::connection] << "
                                             "";
  EXPECT_TRUE(decodedPatch(onPooled)) << onPooled.response.body();
  EXPECT_TRUE(closedByPeer(pooled->readUntilClosed().ec));

  // A connection made during the delay: accepted and answered the same way.
  auto fresh = server->connect();
  ASSERT_TRUE(fresh) << "the listener closed before the shutdown delay ended";
  Reply onFresh = fresh->exchange(mutateRequest(body));
  ASSERT_FALSE(onFresh.ec) << onFresh.ec.message();
  EXPECT_EQ(onFresh.response.result(), http::status::ok);
  EXPECT_TRUE(closesConnection(onFresh));
  EXPECT_TRUE(server->process().running());

  EXPECT_TRUE(exitsZero(*server, "still running after the delay"));
  // A lower bound only: the server cannot stop before its own timer.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 3s) << "stopped before --shutdown-delay";
}

// A connection left idle for the whole delay is closed when the delay ends
// (not at the signal): the client had all that time to use it.
TEST(ServerShutdownTest, AnIdleConnectionIsClosedWhenTheDelayEndsNotAtTheSignal) {
  TestServer::Options options;
  options.extraArgs = {"--shutdown-delay", "2s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto idle = server->connect();
  ASSERT_TRUE(idle);
  ASSERT_FALSE(idle->exchange(makeRequest(http::verb::get, "/healthz")).ec);

  const auto started = std::chrono::steady_clock::now();
  server->process().signal(SIGTERM);
  EXPECT_TRUE(closedByPeer(idle->readUntilClosed().ec));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2s) << "closed before the delay ended";
  EXPECT_TRUE(pollUntil([&] { return refusesConnections(server->port()); }, kExitDeadline));
  EXPECT_TRUE(exitsZero(*server, "still running"));
}

// A connection made just before the delay ended has answered nothing yet: it
// was opened to send a request, which may be on its way. It is not closed
// with the idle ones; its request is answered.
TEST(ServerShutdownTest, AConnectionThatHasSentNothingYetIsAnsweredAfterTheDelayEnds) {
  TestServer::Options options;
  options.extraArgs = {"--shutdown-delay", "1s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto fresh = server->connect();  // TLS handshake done, no request yet
  ASSERT_TRUE(fresh);

  server->process().signal(SIGTERM);
  // Refused connections: the delay is over and the idle connections were told.
  ASSERT_TRUE(pollUntil([&] { return refusesConnections(server->port()); }, kExitDeadline, 1ms));
  const std::string body = admissionReview("admission.k8s.io/v1", "first-request", podJson("annotated"));
  Reply reply = fresh->exchange(mutateRequest(body));
  ASSERT_FALSE(reply.ec) << "the connection was closed under its first request: " << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok);
  EXPECT_TRUE(closesConnection(reply));
  EXPECT_TRUE(decodedPatch(reply)) << reply.response.body();
  EXPECT_TRUE(exitsZero(*server, "still running"));
}

// ...but one that sends nothing is closed once its window has passed.
TEST(ServerShutdownTest, AConnectionThatNeverSendsIsClosedAfterItsWindow) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  auto silent = server->connect();
  ASSERT_TRUE(silent);
  server->process().signal(SIGTERM);
  EXPECT_TRUE(closedByPeer(silent->readUntilClosed().ec));
  EXPECT_TRUE(exitsZero(*server, "still running"));
  EXPECT_EQ(server->process().stderrText().find("Webhook server shutdown error"), std::string::npos);
}

TEST(ServerShutdownTest, ASecondSignalEndsTheDelay) {
  TestServer::Options options;
  options.extraArgs = {"--shutdown-delay", "60s", "--shutdown-timeout", "90s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  server->process().signal(SIGTERM);
  ASSERT_TRUE(pollUntil([&] { return readyzStatus(*server) == 503; }, 2s));
  server->process().signal(SIGINT);
  EXPECT_TRUE(exitsZero(*server, "the second signal did not end the delay"));
}

// --shutdown-timeout counts from the signal, the delay included, so that the
// pod's terminationGracePeriodSeconds bounds the sum.
TEST(ServerShutdownTest, ShutdownTimeoutIncludesTheDelay) {
  TestServer::Options options;
  options.extraArgs = {"--shutdown-delay", "2s", "--shutdown-timeout", "3s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto client = server->connect();
  ASSERT_TRUE(client);
  ASSERT_NO_FATAL_FAILURE(startRequest(*client, 100));  // its body never comes

  const auto started = std::chrono::steady_clock::now();
  server->process().signal(SIGTERM);
  EXPECT_TRUE(exitsZero(*server, "still running after --shutdown-timeout"));
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_GE(elapsed, 2900ms);
  // 3 s from the signal, not 3 s after the delay (5 s).
  EXPECT_LT(elapsed, 4500ms);
}

}  // namespace
}  // namespace irsa::testsupport
