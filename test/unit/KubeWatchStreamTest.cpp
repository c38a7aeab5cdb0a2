// KubeApiClient::watch against a scripted HTTPS server on 127.0.0.1: lines
// split across chunks, clean end, idle timeout, cancel, non-200 answers, and
// the client's destructor ending open watches. onClose must run exactly once.

#include "test/unit/KubeApiClientFixture.hpp"

namespace irsa::kube {
namespace {

using namespace std::chrono_literals;
using kubetest::WatchLog;
using testsupport::chunk;
using testsupport::chunkedHeader;
using testsupport::FakeRequest;
using testsupport::FakeScript;
using testsupport::hang;
using testsupport::lastChunk;
using testsupport::pauseFor;
using testsupport::writeRaw;
using Clock = std::chrono::steady_clock;
using KubeWatchStreamTest = kubetest::KubeApiClientFixture;

constexpr const char* kTarget = "/api/v1/serviceaccounts?watch=1&allowWatchBookmarks=true";

TEST_F(KubeWatchStreamTest, DeliversEachLineOnceEvenWhenChunksSplitLinesThenClosesCleanly) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)),
                      writeRaw(chunk("{\"type\":\"ADDED\",\"n\":1}\n{\"type\":")),
                      pauseFor(20ms),
                      writeRaw(chunk("\"MODIFIED\",\"n\":2}\n{\"type\":\"DEL")),
                      pauseFor(20ms),
                      writeRaw(chunk("ETED\",\"n\":3}\n")),
                      writeRaw(lastChunk())};
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  auto stream = client_->watch(kTarget, 5s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  EXPECT_TRUE(closed->ok()) << closed->error();
  EXPECT_EQ(log.snapshot(),
            (std::vector<std::string>{R"({"type":"ADDED","n":1})", R"({"type":"MODIFIED","n":2})",
                                      R"({"type":"DELETED","n":3})"}));
  const auto seen = server_->requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].target, kTarget);
  EXPECT_EQ(seen[0].accept, "application/json");
  EXPECT_EQ(log.closed.count(), 1);
}

TEST_F(KubeWatchStreamTest, ALastLineWithoutNewlineIsStillDelivered) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)), writeRaw(chunk("{\"a\":1}\r\n{\"b\":2}")),
                      writeRaw(lastChunk())};
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  client_->watch(kTarget, 5s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value() && closed->ok());
  EXPECT_EQ(log.snapshot(), (std::vector<std::string>{R"({"a":1})", R"({"b":2})"}));
}

TEST_F(KubeWatchStreamTest, TheIdleTimeoutEndsASilentStream) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)), writeRaw(chunk("{\"type\":\"BOOKMARK\"}\n")), hang()};
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  const auto start = Clock::now();
  client_->watch(kTarget, 300ms, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  EXPECT_NE(closed->error().find("idle timeout"), std::string::npos) << closed->error();
  EXPECT_EQ(closed->error().rfind(std::string("watch ") + kTarget + ": ", 0), 0u) << closed->error();
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(log.snapshot().size(), 1u);
}

TEST_F(KubeWatchStreamTest, CancelEndsTheStreamAndOnCloseRunsOnce) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)), writeRaw(chunk("{\"type\":\"ADDED\"}\n")), hang()};
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  auto stream = client_->watch(kTarget, 30s, log.onLine(), log.onClose());
  ASSERT_TRUE(log.firstLine.wait().has_value());
  stream->cancel();
  stream->cancel();  // twice, from a foreign thread: still one onClose
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  EXPECT_EQ(closed->error(), std::string("watch ") + kTarget + ": cancelled");
  stream->cancel();  // after the end: a no-op
  client_.reset();   // cancels open watches: this one is over already
  EXPECT_EQ(log.closed.count(), 1);
}

TEST_F(KubeWatchStreamTest, CancelBeforeTheConnectionIsUpStillClosesOnce) {
  ASSERT_TRUE(startServer([](const FakeRequest&) { return FakeScript{hang()}; }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  auto stream = client_->watch(kTarget, 30s, log.onLine(), log.onClose());
  stream->cancel();
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  EXPECT_FALSE(closed->ok());
  EXPECT_EQ(log.closed.count(), 1);
}

TEST_F(KubeWatchStreamTest, ANon200AnswerClosesWithTheStatusAndBody) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return kubetest::respond(403, R"({"kind":"Status","message":"serviceaccounts is forbidden"})");
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  client_->watch(kTarget, 5s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  EXPECT_NE(closed->error().find("HTTP 403"), std::string::npos) << closed->error();
  EXPECT_NE(closed->error().find("serviceaccounts is forbidden"), std::string::npos) << closed->error();
  EXPECT_TRUE(log.snapshot().empty());
}

TEST_F(KubeWatchStreamTest, AGoneAnswerInAChunkedBodyIsAnErrorToo) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(410)), writeRaw(chunk(R"({"kind":"Status","code":410})")),
                      writeRaw(lastChunk())};
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  client_->watch(kTarget, 5s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  EXPECT_NE(closed->error().find(R"(HTTP 410: {"kind":"Status","code":410})"), std::string::npos)
      << closed->error();
  EXPECT_EQ(closed->failure().code, util::ErrorCode::kHttpStatus);
  EXPECT_EQ(closed->failure().httpStatus, 410);
}

TEST_F(KubeWatchStreamTest, ALineOverTheEventLimitEndsTheStream) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)), writeRaw(chunk(std::string(300, 'x'))), hang()};
  }));
  KubeApiClientOptions options;
  options.maxWatchEventBytes = 100;
  ASSERT_TRUE(makeClient(configFor(*server_), options));
  WatchLog log;
  client_->watch(kTarget, 5s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  ASSERT_FALSE(closed->ok());
  EXPECT_NE(closed->error().find("exceeds 100 bytes"), std::string::npos) << closed->error();
}

TEST_F(KubeWatchStreamTest, DestroyingTheClientCancelsOpenWatches) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)), writeRaw(chunk("{}\n")), hang()};
  }));
  ASSERT_TRUE(makeClient());
  WatchLog log;
  client_->watch(kTarget, 30s, log.onLine(), log.onClose());  // the handle is dropped: the watch goes on
  ASSERT_TRUE(log.firstLine.wait().has_value());
  client_.reset();
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value());
  EXPECT_NE(closed->error().find("cancelled"), std::string::npos) << closed->error();
  EXPECT_EQ(log.closed.count(), 1);
}

TEST_F(KubeWatchStreamTest, AWatchTakesARateTokenAndWaitsForOne) {
  ASSERT_TRUE(startServer([](const FakeRequest&) {
    return FakeScript{writeRaw(chunkedHeader(200)), writeRaw(lastChunk())};
  }));
  KubeApiClientOptions options;
  options.qps = 2;
  options.burst = 1;
  ASSERT_TRUE(makeClient(configFor(*server_), options));
  ASSERT_TRUE(get("/api").ok());  // the only token
  WatchLog log;
  const auto start = Clock::now();
  client_->watch(kTarget, 5s, log.onLine(), log.onClose());
  auto closed = log.closed.wait();
  ASSERT_TRUE(closed.has_value() && closed->ok());
  EXPECT_GE(Clock::now() - start, 200ms);  // the next token comes after 500ms
}

}  // namespace
}  // namespace irsa::kube
