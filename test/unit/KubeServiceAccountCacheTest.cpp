#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "KubeFakeApiClient.hpp"
#include "kube/ServiceAccountCache.hpp"
#include "test/support/ManualDeadlineClock.hpp"

namespace irsa::kube {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using namespace kube::testing;  // the fake API client, its pumps and JSON writers

constexpr const char* kRoleKey = "eks.amazonaws.com/role-arn";

std::string sa(const std::string& ns, const std::string& name, const std::string& rv,
               const std::string& role) {
  return objectJson(ns, name, rv, {{kRoleKey, role}});
}

std::string roleOf(const ServiceAccountLookup::Ptr& account) {
  const auto role = account ? account->annotation(kRoleKey) : std::nullopt;
  return std::string(role.value_or(""));
}

// What one lookup() got. Shared with the callback, which may outlive a test
// body only as an uncalled handler in the io_context.
struct Answer {
  int calls{0};
  ServiceAccountLookup::Ptr account;
  Clock::time_point at;
};

class KubeServiceAccountCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServiceAccountCacheOptions options;
    options.maxConcurrentGets = 2;
    options.getTimeout = 500ms;
    options.clock = &clock_;
    ReflectorOptions reflector;
    reflector.backoffMin = 5ms;
    reflector.backoffMax = 5ms;
    cache_ = ServiceAccountCache::create(io_.get_executor(), api_, options, reflector);
  }
  void TearDown() override {
    // Every waiter ends (its GET answered, its deadline passed) before the
    // members go: an armed alarm or a GET callback holds the cache.
    cache_->stop();
    api_.failPending();
    clock_.advance(std::chrono::hours(1));
    drain(io_);
  }

  void sync(const std::vector<std::string>& items) {
    cache_->start();
    ASSERT_TRUE(answerInitialList(io_, api_, items, "100"));
  }

  std::shared_ptr<Answer> lookup(const std::string& ns, const std::string& name, Clock::time_point deadline) {
    auto answer = std::make_shared<Answer>();
    cache_->lookup(ns, name, deadline, [this, answer](ServiceAccountLookup::Ptr account) {
      ++answer->calls;
      answer->account = std::move(account);
      answer->at = clock_.now();
    });
    return answer;
  }

  // Indices of the direct GETs (everything but the reflector's lists).
  std::vector<std::size_t> directGets() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < api_.getCount(); ++i) {
      if (api_.request(i).target.rfind("/api/v1/namespaces/", 0) == 0) out.push_back(i);
    }
    return out;
  }

  void push(const std::string& type, const std::string& object) {
    ASSERT_TRUE(api_.lastStream().push(eventJson(type, object)));
  }

  const LookupStats& stats() const { return cache_->lookupStats(); }

  // Lookup deadlines are on this clock: a test moves time with advance(). It
  // is declared first so that it outlives every alarm: waiters (and their
  // alarms) also live in the fake's unanswered GET callbacks and in handlers
  // the io_context destroys, after the cache.
  testsupport::ManualDeadlineClock clock_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  FakeApiClient api_{io_};
  std::shared_ptr<ServiceAccountCache> cache_;
};

TEST_F(KubeServiceAccountCacheTest, ReadyOnlyAfterTheFirstFullSync) {
  EXPECT_FALSE(cache_->ready());
  cache_->start();
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
  EXPECT_EQ(api_.request(0).target, "/api/v1/serviceaccounts?limit=500");
  EXPECT_FALSE(cache_->ready());
  ASSERT_TRUE(
      api_.respondNext(200, listJson({sa("ns", "a", "1", "arn:a"), sa("ns", "b", "2", "arn:b")}, "100")));
  ASSERT_TRUE(runUntil(io_, [&] { return cache_->ready(); }));
  EXPECT_EQ(cache_->size(), 2u);
}

TEST_F(KubeServiceAccountCacheTest, AfterSyncFindHitsAndLookupAnswersAtOnce) {
  sync({sa("ns", "a", "1", "arn:a")});
  EXPECT_EQ(roleOf(cache_->find("ns", "a")), "arn:a");
  EXPECT_EQ(cache_->find("ns", "missing"), nullptr);
  EXPECT_EQ(cache_->find("other", "a"), nullptr);

  auto answer = lookup("ns", "a", clock_.now() + 2s);
  EXPECT_EQ(answer->calls, 1);  // before lookup() returned: no pumping
  EXPECT_EQ(roleOf(answer->account), "arn:a");
  EXPECT_EQ(stats().hit, 1u);
  EXPECT_TRUE(directGets().empty());
}

TEST_F(KubeServiceAccountCacheTest, OnlyAnnotationsUnderThePrefixAreKept) {
  sync({objectJson("ns", "a", "1",
                   {{kRoleKey, "arn:a"},
                    {"eks.amazonaws.com/audience", "sts"},
                    {"eks.amazonaws.com.evil/role-arn", "arn:evil"},
                    {"kubectl.kubernetes.io/last-applied-configuration", "{}"}})});
  auto account = cache_->find("ns", "a");
  ASSERT_NE(account, nullptr);
  EXPECT_EQ(account->annotations(), (std::vector<std::pair<std::string_view, std::string_view>>{
                                        {kRoleKey, "arn:a"}, {"eks.amazonaws.com/audience", "sts"}}));
}

TEST_F(KubeServiceAccountCacheTest, WatchEventsModifyAddAndDelete) {
  sync({sa("ns", "a", "1", "arn:a")});
  push("MODIFIED", sa("ns", "a", "101", "arn:a2"));
  push("ADDED", sa("ns", "b", "102", "arn:b"));
  ASSERT_TRUE(runUntil(io_, [&] { return cache_->size() == 2; }));
  EXPECT_EQ(roleOf(cache_->find("ns", "a")), "arn:a2");
  EXPECT_EQ(roleOf(cache_->find("ns", "b")), "arn:b");

  push("DELETED", sa("ns", "a", "103", "arn:a2"));
  ASSERT_TRUE(runUntil(io_, [&] { return cache_->size() == 1; }));
  EXPECT_EQ(cache_->find("ns", "a"), nullptr);
  EXPECT_NE(cache_->find("ns", "b"), nullptr);
}

TEST_F(KubeServiceAccountCacheTest, ARelistReplacesTheContents) {
  sync({sa("ns", "a", "1", "arn:a"), sa("ns", "b", "2", "arn:b")});
  push("ERROR", statusJson(410, "Expired", "too old resource version"));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  EXPECT_NE(cache_->find("ns", "a"), nullptr);  // the old view serves while the relist runs
  ASSERT_TRUE(
      api_.respondNext(200, listJson({sa("ns", "b", "3", "arn:b2"), sa("ns", "c", "4", "arn:c")}, "200")));
  ASSERT_TRUE(runUntil(io_, [&] { return cache_->reflectorStats().relists == 1; }));
  EXPECT_EQ(cache_->find("ns", "a"), nullptr);
  EXPECT_EQ(roleOf(cache_->find("ns", "b")), "arn:b2");
  EXPECT_EQ(roleOf(cache_->find("ns", "c")), "arn:c");
  EXPECT_EQ(cache_->size(), 2u);
}

TEST_F(KubeServiceAccountCacheTest, AFailedRelistKeepsServingTheOldContents) {
  sync({sa("ns", "a", "1", "arn:a")});
  push("ERROR", statusJson(410, "Expired", "too old resource version"));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  ASSERT_TRUE(api_.respondNext(200, listJson({sa("ns", "b", "2", "arn:b")}, "150", "more")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 3; }));
  ASSERT_TRUE(api_.respondNext(500, statusJson(500, "InternalError", "etcd is down")));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 4; }));  // retried
  EXPECT_EQ(roleOf(cache_->find("ns", "a")), "arn:a");
  EXPECT_EQ(cache_->find("ns", "b"), nullptr);  // the aborted list's page is dropped
  EXPECT_EQ(cache_->size(), 1u);
  EXPECT_TRUE(cache_->ready());

  ASSERT_TRUE(api_.respondNext(200, listJson({sa("ns", "c", "3", "arn:c")}, "160")));
  ASSERT_TRUE(runUntil(io_, [&] { return cache_->reflectorStats().relists == 1; }));
  EXPECT_EQ(cache_->find("ns", "b"), nullptr);
  EXPECT_EQ(cache_->size(), 1u);
}

TEST_F(KubeServiceAccountCacheTest, MissingAccountIssuesOneBoundedDirectGetThatSkipsTheRateLimiter) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 2s);
  drain(io_);
  EXPECT_EQ(answer->calls, 0);
  const auto gets = directGets();
  ASSERT_EQ(gets.size(), 1u);
  const auto& get = api_.request(gets[0]);
  EXPECT_EQ(get.target, "/api/v1/namespaces/ns/serviceaccounts/late");
  EXPECT_EQ(get.limit, RateLimit::kSkipIfLimited);
  EXPECT_EQ(get.timeout, 500ms);  // getTimeout: less than the time left
}

TEST_F(KubeServiceAccountCacheTest, DirectGetTimeoutNeverOutlivesTheDeadline) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 100ms);
  const auto gets = directGets();
  ASSERT_EQ(gets.size(), 1u);
  EXPECT_EQ(api_.request(gets[0]).timeout, 100ms);
}

TEST_F(KubeServiceAccountCacheTest, RaceWatchDeliversWhileWaiting) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 2s);
  push("ADDED", sa("ns", "late", "101", "arn:late"));
  ASSERT_TRUE(runUntil(io_, [&] { return answer->calls > 0; }));
  EXPECT_EQ(roleOf(answer->account), "arn:late");
  EXPECT_EQ(stats().waitedHit, 1u);

  ASSERT_TRUE(api_.respond(directGets().at(0), 200, sa("ns", "late", "101", "arn:late")));
  drain(io_);
  EXPECT_EQ(answer->calls, 1);
  EXPECT_EQ(stats().apiHit, 0u);
}

TEST_F(KubeServiceAccountCacheTest, RaceDirectGetFindsItFirst) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 2s);
  ASSERT_TRUE(api_.respond(directGets().at(0), 200, sa("ns", "late", "101", "arn:late")));
  ASSERT_TRUE(runUntil(io_, [&] { return answer->calls > 0; }));
  EXPECT_EQ(roleOf(answer->account), "arn:late");
  EXPECT_EQ(stats().apiHit, 1u);
  EXPECT_EQ(cache_->find("ns", "late"), nullptr);  // the cache itself stays the watch's

  push("ADDED", sa("ns", "late", "101", "arn:late"));
  ASSERT_TRUE(runUntil(io_, [&] { return cache_->size() == 1; }));
  EXPECT_EQ(answer->calls, 1);
  EXPECT_EQ(stats().waitedHit, 0u);
}

TEST_F(KubeServiceAccountCacheTest, RaceNothingArrivesSoItMissesAtTheDeadlineNotBefore) {
  sync({});
  const auto deadline = clock_.now() + 500ms;
  auto answer = lookup("ns", "late", deadline);
  ASSERT_TRUE(api_.respond(directGets().at(0), 404,
                           statusJson(404, "NotFound", "serviceaccounts \"late\" not found")));
  drain(io_);
  EXPECT_EQ(answer->calls, 0) << "a 404 must not end the wait: the watch may still deliver";
  clock_.advance(499ms);
  drain(io_);
  EXPECT_EQ(answer->calls, 0) << "answered before the deadline";
  clock_.advance(1ms);
  drain(io_);
  ASSERT_EQ(answer->calls, 1);
  EXPECT_EQ(answer->account, nullptr);
  EXPECT_EQ(answer->at, deadline);
  EXPECT_EQ(stats().miss, 1u);
  clock_.advance(1s);
  drain(io_);
  EXPECT_EQ(answer->calls, 1);
}

TEST_F(KubeServiceAccountCacheTest, AnAnswerBeforeTheDeadlineCancelsItsAlarm) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 2s);
  drain(io_);
  EXPECT_EQ(clock_.pendingAlarms(), 1u);
  push("ADDED", sa("ns", "late", "101", "arn:late"));
  ASSERT_TRUE(runUntil(io_, [&] { return answer->calls > 0; }));
  EXPECT_EQ(clock_.pendingAlarms(), 0u) << "the deadline alarm outlives the answer";
  clock_.advance(3s);
  drain(io_);
  EXPECT_EQ(answer->calls, 1);
  EXPECT_EQ(stats().miss, 0u);
}

TEST_F(KubeServiceAccountCacheTest, ConcurrentLookupsOfOneKeyShareOneGet) {
  sync({});
  auto first = lookup("ns", "late", clock_.now() + 2s);
  auto second = lookup("ns", "late", clock_.now() + 2s);
  ASSERT_EQ(directGets().size(), 1u);
  ASSERT_TRUE(api_.respond(directGets()[0], 200, sa("ns", "late", "101", "arn:late")));
  ASSERT_TRUE(runUntil(io_, [&] { return first->calls > 0 && second->calls > 0; }));
  EXPECT_EQ(roleOf(first->account), "arn:late");
  EXPECT_EQ(roleOf(second->account), "arn:late");
  EXPECT_EQ(stats().apiHit, 2u);
  EXPECT_EQ(directGets().size(), 1u);
}

TEST_F(KubeServiceAccountCacheTest, DirectGetsInFlightAreBoundedByMaxConcurrentGets) {
  sync({});
  std::vector<std::shared_ptr<Answer>> answers;
  for (const char* name : {"a", "b", "c", "d", "e"})
    answers.push_back(lookup("ns", name, clock_.now() + 2s));
  EXPECT_EQ(directGets().size(), 2u);
  EXPECT_EQ(api_.pendingGets(), 2u);

  for (auto i : directGets())
    ASSERT_TRUE(api_.respond(i, 404, statusJson(404, "NotFound", "not found")));
  drain(io_);
  answers.push_back(lookup("ns", "f", clock_.now() + 2s));  // the slots were given back
  ASSERT_EQ(directGets().size(), 3u);
  EXPECT_EQ(api_.request(directGets()[2]).target, "/api/v1/namespaces/ns/serviceaccounts/f");

  push("ADDED", sa("ns", "c", "101", "arn:c"));  // a GET-less waiter still gets the watch
  ASSERT_TRUE(runUntil(io_, [&] { return answers[2]->calls > 0; }));
  EXPECT_EQ(roleOf(answers[2]->account), "arn:c");
}

TEST_F(KubeServiceAccountCacheTest, DeadlineAlreadyPastMissesAtOnceWithoutAGet) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() - 1ms);
  EXPECT_EQ(answer->calls, 1);
  EXPECT_EQ(answer->account, nullptr);
  EXPECT_EQ(stats().miss, 1u);
  EXPECT_TRUE(directGets().empty());
}

TEST_F(KubeServiceAccountCacheTest, InvalidNamesMissAtOnceWithoutAGet) {
  sync({});
  auto badName = lookup("ns", "A/B?x", clock_.now() + 2s);
  auto badNamespace = lookup("../x", "late", clock_.now() + 2s);
  EXPECT_EQ(badName->calls, 1);
  EXPECT_EQ(badName->account, nullptr);
  EXPECT_EQ(badNamespace->calls, 1);
  EXPECT_EQ(badNamespace->account, nullptr);
  drain(io_);
  EXPECT_TRUE(directGets().empty());
  EXPECT_EQ(stats().miss, 2u);
}

TEST_F(KubeServiceAccountCacheTest, RateLimitedGetLeavesTheWaitToTheWatchAndFreesItsSlot) {
  sync({});
  api_.setRateLimited(true);
  auto answer = lookup("ns", "a", clock_.now() + 2s);
  drain(io_);
  ASSERT_EQ(directGets().size(), 1u);
  EXPECT_EQ(answer->calls, 0);

  lookup("ns", "b", clock_.now() + 2s);
  lookup("ns", "c", clock_.now() + 2s);
  EXPECT_EQ(directGets().size(), 3u);  // the failed GET did not keep its slot

  push("ADDED", sa("ns", "a", "101", "arn:a"));
  ASSERT_TRUE(runUntil(io_, [&] { return answer->calls > 0; }));
  EXPECT_EQ(roleOf(answer->account), "arn:a");
  EXPECT_EQ(stats().waitedHit, 1u);
}

TEST_F(KubeServiceAccountCacheTest, ARelistAnswersAWaitingLookup) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 2s);
  push("ERROR", statusJson(410, "Expired", "too old resource version"));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 3; }));  // list, direct GET, relist
  ASSERT_TRUE(api_.respond(2, 200, listJson({sa("ns", "late", "150", "arn:late")}, "200")));
  ASSERT_TRUE(runUntil(io_, [&] { return answer->calls > 0; }));
  EXPECT_EQ(roleOf(answer->account), "arn:late");
  EXPECT_EQ(stats().waitedHit, 1u);
}

TEST_F(KubeServiceAccountCacheTest, EachCallbackRunsOnceWhenWatchAndGetDeliverTogether) {
  sync({});
  const auto deadline = clock_.now() + 500ms;
  auto first = lookup("ns", "late", deadline);
  auto second = lookup("ns", "late", deadline);
  ASSERT_TRUE(api_.respond(directGets().at(0), 200, sa("ns", "late", "101", "arn:late")));
  push("ADDED", sa("ns", "late", "101", "arn:late"));
  drain(io_);
  clock_.advance(600ms);  // past the deadline too
  drain(io_);
  EXPECT_EQ(first->calls, 1);
  EXPECT_EQ(second->calls, 1);
  EXPECT_EQ(roleOf(first->account), "arn:late");
  EXPECT_EQ(roleOf(second->account), "arn:late");
  EXPECT_EQ(stats().waitedHit + stats().apiHit, 2u);
  EXPECT_EQ(stats().miss, 0u);
}

TEST_F(KubeServiceAccountCacheTest, DeliveryRacingTheDeadlineStillCallsOnce) {
  sync({});
  auto answer = lookup("ns", "late", clock_.now() + 30ms);
  drain(io_);  // the deadline alarm is armed
  // The alarm comes due, and both deliveries arrive, before the io_context
  // runs any of them: all three are ready in the same turn.
  clock_.advance(30ms);
  ASSERT_TRUE(api_.respond(directGets().at(0), 200, sa("ns", "late", "101", "arn:late")));
  push("ADDED", sa("ns", "late", "101", "arn:late"));
  drain(io_);
  EXPECT_EQ(answer->calls, 1);
  EXPECT_EQ(stats().waitedHit + stats().apiHit + stats().miss, 1u);
}

}  // namespace
}  // namespace irsa::kube
