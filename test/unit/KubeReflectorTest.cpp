#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "KubeFakeApiClient.hpp"
#include "kube/Reflector.hpp"

namespace irsa::kube {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using namespace kube::testing;  // the fake API client, its pumps and JSON writers

constexpr auto kBackoff = 40ms;  // jittered into [20ms, 40ms]

// Records every handler call as one line: "start", "item ns/a", "done",
// "aborted", "ADDED ns/a", ...
class RecordingHandler final : public ReflectorHandler {
 public:
  void onListStart() override { calls.push_back("start"); }
  void onListItem(const rapidjson::Value& object) override { calls.push_back("item " + key(object)); }
  void onListDone() override { calls.push_back("done"); }
  void onListAborted() override { calls.push_back("aborted"); }
  void onEvent(EventType type, const rapidjson::Value& object) override {
    static const char* names[] = {"ADDED", "MODIFIED", "DELETED"};
    calls.push_back(std::string(names[static_cast<int>(type)]) + " " + key(object));
  }
  int count(const std::string& call) const {
    return static_cast<int>(std::count(calls.begin(), calls.end(), call));
  }

  std::vector<std::string> calls;

 private:
  static std::string key(const rapidjson::Value& object) {
    const auto& m = object["metadata"];
    return std::string(m["namespace"].GetString()) + "/" + m["name"].GetString();
  }
};

std::string pathOf(const std::string& target) {
  return target.substr(0, target.find('?'));
}

std::map<std::string, std::string> queryOf(const std::string& target) {
  std::map<std::string, std::string> out;
  const auto q = target.find('?');
  if (q == std::string::npos) return out;
  std::size_t pos = q + 1;
  while (pos <= target.size()) {
    const auto amp = std::min(target.find('&', pos), target.size());
    const std::string part = target.substr(pos, amp - pos);
    const auto eq = part.find('=');
    out[part.substr(0, eq)] = eq == std::string::npos ? "" : part.substr(eq + 1);
    pos = amp + 1;
  }
  return out;
}

class KubeReflectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ReflectorOptions options;
    options.pageSize = 2;
    options.requestTimeout = 1s;
    options.watchTimeoutMin = 10s;
    options.watchIdleTimeout = 1s;
    options.backoffMin = kBackoff;
    options.backoffMax = kBackoff;
    reflector_ = Reflector::create(io_.get_executor(), api_, "/api/v1/serviceaccounts", "", handler_, options,
                                   "serviceaccounts");
  }
  void TearDown() override {
    reflector_->stop();
    drain(io_);
  }

  // start() and a one-page list at `rv`; returns once the watch is open.
  void sync(const std::string& rv, const std::vector<std::string>& items = {}) {
    reflector_->start();
    ASSERT_TRUE(answerInitialList(io_, api_, items, rv));
  }
  std::string watchRv(std::size_t i) { return queryOf(api_.stream(i).target)["resourceVersion"]; }

  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  FakeApiClient api_{io_};
  RecordingHandler handler_;
  std::shared_ptr<Reflector> reflector_;
};

TEST_F(KubeReflectorTest, ListFollowsContinueTokensThenWatchesFromTheLastPage) {
  reflector_->start();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
  EXPECT_EQ(pathOf(api_.request(0).target), "/api/v1/serviceaccounts");
  EXPECT_EQ(queryOf(api_.request(0).target), (std::map<std::string, std::string>{{"limit", "2"}}));
  EXPECT_EQ(api_.request(0).limit, RateLimit::kWait);

  ASSERT_TRUE(api_.respondNext(
      200, listJson({objectJson("ns", "a", "3"), objectJson("ns", "b", "4")}, "10", "tok-1")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  EXPECT_EQ(queryOf(api_.request(1).target),
            (std::map<std::string, std::string>{{"limit", "2"}, {"continue", "tok-1"}}));
  EXPECT_EQ(api_.watchCount(), 0u);
  EXPECT_FALSE(reflector_->synced());

  ASSERT_TRUE(api_.respondNext(200, listJson({objectJson("ns", "c", "5")}, "12")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 1; }));
  EXPECT_EQ(handler_.calls,
            (std::vector<std::string>{"start", "item ns/a", "item ns/b", "item ns/c", "done"}));
  EXPECT_TRUE(reflector_->synced());
  EXPECT_EQ(reflector_->stats().lists, 1u);
  EXPECT_EQ(reflector_->stats().relists, 0u);

  auto query = queryOf(api_.stream(0).target);
  EXPECT_EQ(pathOf(api_.stream(0).target), "/api/v1/serviceaccounts");
  EXPECT_EQ(query["watch"], "1");
  EXPECT_EQ(query["allowWatchBookmarks"], "true");
  EXPECT_EQ(query["resourceVersion"], "12");  // the last page's, not the first's
  const int timeoutSeconds = std::stoi(query["timeoutSeconds"]);
  EXPECT_GE(timeoutSeconds, 10);
  EXPECT_LE(timeoutSeconds, 20);
  EXPECT_EQ(api_.stream(0).idleTimeout, 1s);
  EXPECT_EQ(api_.getCount(), 2u);
}

TEST_F(KubeReflectorTest, WatchEventsReachTheHandlerInOrder) {
  sync("10");
  auto& stream = api_.lastStream();
  stream.push(eventJson("ADDED", objectJson("ns", "x", "11")));
  stream.push(eventJson("MODIFIED", objectJson("ns", "x", "12")));
  stream.push(eventJson("DELETED", objectJson("ns", "x", "13")));
  ASSERT_TRUE(runUntil(io_, [&] { return handler_.calls.size() == 5; }));
  EXPECT_EQ(handler_.calls,
            (std::vector<std::string>{"start", "done", "ADDED ns/x", "MODIFIED ns/x", "DELETED ns/x"}));
}

TEST_F(KubeReflectorTest, AMalformedLineIsSkippedAndTheWatchGoesOn) {
  sync("10");
  api_.lastStream().push("{not json");
  api_.lastStream().push(eventJson("ADDED", objectJson("ns", "y", "11")));
  ASSERT_TRUE(runUntil(io_, [&] { return handler_.count("ADDED ns/y") == 1; }));
  EXPECT_TRUE(api_.lastStream().open());
  EXPECT_EQ(api_.getCount(), 1u);
}

TEST_F(KubeReflectorTest, BookmarkSetsTheResourceVersionOfTheNextWatchWithoutARelist) {
  sync("10");
  api_.lastStream().push(bookmarkJson("42"));
  drain(io_);
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"start", "done"}));  // a bookmark is no event

  api_.lastStream().closeOk();  // the server's timeoutSeconds ran out
  drain(io_);                   // resumes at once: no backoff timer involved
  ASSERT_EQ(api_.watchCount(), 2u);
  EXPECT_EQ(watchRv(1), "42");
  EXPECT_EQ(api_.getCount(), 1u);
  EXPECT_EQ(reflector_->stats().watchRestarts, 1u);
  EXPECT_EQ(reflector_->stats().relists, 0u);
}

TEST_F(KubeReflectorTest, EventsAlsoMoveTheResumeResourceVersion) {
  sync("10");
  api_.lastStream().push(eventJson("ADDED", objectJson("ns", "x", "77")));
  api_.lastStream().closeOk();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 2; }));
  EXPECT_EQ(watchRv(1), "77");
}

TEST_F(KubeReflectorTest, GoneErrorEventRelistsAndIgnoresTheRestOfTheStream) {
  sync("10", {objectJson("ns", "a", "9")});
  api_.lastStream().push(eventJson("ERROR", statusJson(410, "Expired", "too old resource version: 10 (50)")));
  api_.lastStream().push(eventJson("ADDED", objectJson("ns", "late", "51")));  // already in flight
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  EXPECT_TRUE(api_.stream(0).cancelled);
  EXPECT_EQ(handler_.count("ADDED ns/late"), 0);
  EXPECT_EQ(queryOf(api_.request(1).target), (std::map<std::string, std::string>{{"limit", "2"}}));

  ASSERT_TRUE(api_.respondNext(200, listJson({objectJson("ns", "b", "55")}, "60")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 2; }));
  EXPECT_EQ(handler_.calls,
            (std::vector<std::string>{"start", "item ns/a", "done", "start", "item ns/b", "done"}));
  EXPECT_EQ(reflector_->stats().lists, 2u);
  EXPECT_EQ(reflector_->stats().relists, 1u);
  EXPECT_EQ(watchRv(1), "60");
}

TEST_F(KubeReflectorTest, WatchFailureBacksOffThenWatchesAgainFromTheSameVersion) {
  sync("10");
  api_.lastStream().push(eventJson("ADDED", objectJson("ns", "x", "15")));
  drain(io_);
  const auto failedAt = std::chrono::steady_clock::now();
  api_.lastStream().closeWithError("connection reset by peer");
  drain(io_);
  EXPECT_EQ(api_.watchCount(), 1u) << "re-watched without backing off";

  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - failedAt, kBackoff / 2);
  EXPECT_EQ(watchRv(1), "15");
  EXPECT_EQ(api_.getCount(), 1u);  // resumed, not relisted
  EXPECT_EQ(reflector_->stats().watchRestarts, 1u);
  EXPECT_EQ(reflector_->stats().errors, 1u);
}

TEST_F(KubeReflectorTest, RepeatedWatchFailuresFallBackToARelist) {
  sync("10");
  for (int failure = 1; failure <= 4; ++failure) {
    api_.lastStream().closeWithError("503 Service Unavailable");
    ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == static_cast<std::size_t>(failure + 1); }));
    EXPECT_EQ(api_.getCount(), 1u) << "failure " << failure;
  }
  api_.lastStream().closeWithError("503 Service Unavailable");
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  EXPECT_EQ(api_.watchCount(), 5u);
}

// 410 Gone when opening the watch: the resourceVersion is too old to resume,
// so the next attempt is a list. The status comes from the error's code.
TEST_F(KubeReflectorTest, WatchRefusedWithGoneRelists) {
  sync("10");
  api_.lastStream().closeWithFailure(util::httpFailure(410, "watch /api/v1/serviceaccounts: Expired"));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  EXPECT_EQ(api_.watchCount(), 1u);
}

// Error text is for people: a message that merely mentions "HTTP 410" is an
// ordinary failure, after which the watch resumes.
TEST_F(KubeReflectorTest, FailureTextMentioningGoneIsNotGone) {
  sync("10");
  api_.lastStream().closeWithError("proxy: upstream said HTTP 410 once");
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 2; }));
  EXPECT_EQ(api_.getCount(), 1u);
}

TEST_F(KubeReflectorTest, FailedListsAbortAndAreRetriedAfterBackoff) {
  reflector_->start();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
  const auto failedAt = std::chrono::steady_clock::now();
  ASSERT_TRUE(api_.failNext("connect: connection refused"));
  drain(io_);
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"start", "aborted"}));
  EXPECT_EQ(api_.getCount(), 1u) << "retried without backing off";
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - failedAt, kBackoff / 2);

  ASSERT_TRUE(api_.respondNext(500, statusJson(500, "InternalError", "etcd is down")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 3; }));
  EXPECT_EQ(api_.request(2).target, api_.request(0).target);
  EXPECT_FALSE(reflector_->synced());
  EXPECT_EQ(api_.watchCount(), 0u);

  ASSERT_TRUE(api_.respondNext(200, listJson({objectJson("ns", "a", "1")}, "5")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 1; }));
  EXPECT_EQ(handler_.calls,
            (std::vector<std::string>{"start", "aborted", "start", "aborted", "start", "item ns/a", "done"}));
  EXPECT_TRUE(reflector_->synced());
  EXPECT_EQ(reflector_->stats().errors, 2u);
  EXPECT_EQ(reflector_->stats().relists, 0u);
}

TEST_F(KubeReflectorTest, AFailedLaterPageAbortsTheWholeList) {
  reflector_->start();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
  ASSERT_TRUE(
      api_.respondNext(200, listJson({objectJson("ns", "a", "1"), objectJson("ns", "b", "2")}, "5", "t")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  ASSERT_TRUE(api_.respondNext(503, statusJson(503, "ServiceUnavailable", "try later")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 3; }));
  EXPECT_EQ(queryOf(api_.request(2).target).count("continue"), 0u);
  EXPECT_EQ(handler_.calls,
            (std::vector<std::string>{"start", "item ns/a", "item ns/b", "aborted", "start"}));
}

TEST_F(KubeReflectorTest, GoneOnAContinuePageRestartsTheListFromScratch) {
  reflector_->start();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
  ASSERT_TRUE(
      api_.respondNext(200, listJson({objectJson("ns", "a", "1"), objectJson("ns", "b", "2")}, "5", "t")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  ASSERT_TRUE(
      api_.respondNext(410, statusJson(410, "Expired", "The provided continue parameter is too old")));
  drain(io_);  // at once: an expired token is no reason to back off
  ASSERT_EQ(api_.getCount(), 3u);
  EXPECT_EQ(queryOf(api_.request(2).target), (std::map<std::string, std::string>{{"limit", "2"}}));

  ASSERT_TRUE(api_.respondNext(200, listJson({objectJson("ns", "c", "7")}, "9")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 1; }));
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"start", "item ns/a", "item ns/b", "aborted", "start",
                                                      "item ns/c", "done"}));
  EXPECT_EQ(watchRv(0), "9");
  EXPECT_EQ(reflector_->stats().lists, 1u);
  EXPECT_EQ(reflector_->stats().errors, 0u);
}

// An apiserver that expires every continue token: the first 410 restarts
// the list at once, the next ones only after a backoff (never a tight loop).
TEST_F(KubeReflectorTest, GoneOnEveryContinuePageBacksOffAfterTheFirst) {
  reflector_->start();
  for (std::size_t list = 1; list <= 2; ++list) {
    ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2 * list - 1; }));
    ASSERT_TRUE(api_.respondNext(200, listJson({objectJson("ns", "a", "1")}, "5", "t")));
    ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2 * list; }));
    ASSERT_TRUE(
        api_.respondNext(410, statusJson(410, "Expired", "The provided continue parameter is too old")));
    drain(io_);
    EXPECT_EQ(api_.getCount(), list == 1 ? 3u : 4u) << "list " << list;
  }
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 5; }));  // after the backoff
}

// list, watch, ERROR 410, list, ...: each round backs off further, since a
// good list is no sign the next watch will hold; only an event resets it.
// (It used to wait at most backoffMin each round, listing the whole
// collection five times a second for as long as the 410s came.)
TEST_F(KubeReflectorTest, RepeatedGoneEventsBackOffLongerEachRound) {
  reflector_->stop();
  drain(io_);
  ReflectorOptions options;
  options.pageSize = 2;
  options.requestTimeout = 1s;
  options.watchTimeoutMin = 10s;
  options.watchIdleTimeout = 1s;
  options.backoffMin = 5ms;
  options.backoffMax = 10s;
  reflector_ = Reflector::create(io_.get_executor(), api_, "/api/v1/serviceaccounts", "", handler_, options,
                                 "serviceaccounts");
  sync("10");
  std::chrono::steady_clock::duration waited{};
  for (std::size_t round = 1; round <= 6; ++round) {
    const auto goneAt = std::chrono::steady_clock::now();
    api_.lastStream().push(eventJson("ERROR", statusJson(410, "Expired", "too old resource version")));
    ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == round + 1; }));
    waited = std::chrono::steady_clock::now() - goneAt;
    ASSERT_TRUE(api_.respondNext(200, listJson({}, std::to_string(10 + round))));
    ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == round + 1; }));
  }
  // The sixth relist came after at least the lower half of 5 ms * 2^5.
  EXPECT_GE(waited, 80ms);
  EXPECT_EQ(reflector_->stats().relists, 6u);
}

TEST_F(KubeReflectorTest, StopCancelsTheWatchAndNothingFollows) {
  sync("10");
  reflector_->stop();
  drain(io_);
  EXPECT_TRUE(api_.stream(0).cancelled);
  runFor(io_, 4 * kBackoff);
  EXPECT_EQ(api_.watchCount(), 1u);
  EXPECT_EQ(api_.getCount(), 1u);
}

TEST_F(KubeReflectorTest, StopDuringBackoffPreventsTheRetry) {
  sync("10");
  api_.lastStream().closeWithError("connection reset by peer");
  drain(io_);
  reflector_->stop();
  runFor(io_, 4 * kBackoff);
  EXPECT_EQ(api_.watchCount(), 1u);
  EXPECT_EQ(api_.getCount(), 1u);
}

TEST_F(KubeReflectorTest, NoHandlerCallAfterStop) {
  reflector_->start();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
  reflector_->stop();
  drain(io_);
  ASSERT_TRUE(api_.respondNext(200, listJson({objectJson("ns", "a", "1")}, "5")));
  runFor(io_, 4 * kBackoff);
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"start"});
  EXPECT_EQ(api_.watchCount(), 0u);
  EXPECT_FALSE(reflector_->synced());
}

TEST_F(KubeReflectorTest, EventsInFlightWhenStoppedAreDropped) {
  sync("10");
  api_.lastStream().push(eventJson("ADDED", objectJson("ns", "x", "11")));
  reflector_->stop();  // before the line's callback ran
  drain(io_);
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"start", "done"}));
}

}  // namespace
}  // namespace irsa::kube
