// ConnectionTracker on its own: who is evicted, refused or drained at
// --max-connections (the sessions' side is in ServerErrorsTest).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "server/ConnectionTracker.hpp"

namespace irsa::server {
namespace {

class FakeConnection : public TrackedConnection {
 public:
  void drain() override { ++drains; }
  void evict() override { ++evictions; }
  int drains{0};
  int evictions{0};
};

class ServerConnectionTrackerTest : public ::testing::Test {
 protected:
  // A new connection, kept alive by the test, added with `limit`.
  ConnectionTracker::Admission open(std::size_t limit) {
    connections_.push_back(std::make_shared<FakeConnection>());
    return tracker_.add(connections_.back(), limit);
  }
  FakeConnection& connection(std::size_t i) { return *connections_.at(i); }

  ConnectionTracker tracker_;
  std::vector<std::shared_ptr<FakeConnection>> connections_;
};

TEST_F(ServerConnectionTrackerTest, BelowTheLimitEveryConnectionIsAdmittedAndNoneEvicted) {
  for (int i = 0; i < 3; ++i) {
    const auto admission = open(3);
    EXPECT_NE(admission.id, 0U);
    EXPECT_FALSE(admission.evicted);
  }
  EXPECT_EQ(tracker_.active(), 3U);
  for (std::size_t i = 0; i < 3; ++i)
    EXPECT_EQ(connection(i).evictions, 0);
}

TEST_F(ServerConnectionTrackerTest, AtTheLimitTheOldestConnectionWithoutARequestIsEvicted) {
  const auto first = open(3);
  const auto second = open(3);
  open(3);
  tracker_.beganRequest(first.id);  // the oldest has begun a request: the second goes

  const auto fourth = open(3);
  EXPECT_NE(fourth.id, 0U);
  EXPECT_TRUE(fourth.evicted);
  EXPECT_EQ(connection(0).evictions, 0);
  EXPECT_EQ(connection(1).evictions, 1);
  EXPECT_EQ(connection(2).evictions, 0);

  // The evicted one is not counted while it closes: the next newcomer
  // evicts the next oldest, the third, rather than being refused.
  const auto fifth = open(3);
  EXPECT_TRUE(fifth.evicted);
  EXPECT_EQ(connection(1).evictions, 1);  // once only
  EXPECT_EQ(connection(2).evictions, 1);
  EXPECT_EQ(tracker_.active(), 5U);  // open until their sessions end

  tracker_.remove(second.id);
  EXPECT_EQ(tracker_.active(), 4U);
}

TEST_F(ServerConnectionTrackerTest, WhenEveryConnectionHasBegunARequestANewOneIsRefused) {
  const auto first = open(2);
  const auto second = open(2);
  tracker_.beganRequest(first.id);
  tracker_.beganRequest(second.id);
  const auto third = open(2);
  EXPECT_EQ(third.id, 0U);
  EXPECT_FALSE(third.evicted);
  EXPECT_EQ(connection(0).evictions + connection(1).evictions, 0);
  EXPECT_EQ(tracker_.active(), 2U);

  // A slot freed is a slot taken.
  tracker_.remove(first.id);
  EXPECT_NE(open(2).id, 0U);
}

TEST_F(ServerConnectionTrackerTest, AnEvictedConnectionThatBeganItsRequestMeanwhileStillCountsOnceGone) {
  const auto first = open(1);
  const auto second = open(1);  // evicts the first
  ASSERT_TRUE(second.evicted);
  // The first's session had begun its request as the eviction came: it is
  // answered and stays open; the limit is one over until it ends.
  tracker_.beganRequest(first.id);
  tracker_.beganRequest(second.id);
  EXPECT_EQ(open(1).id, 0U);
  tracker_.remove(first.id);
  EXPECT_EQ(open(1).id, 0U);  // the second still holds the one slot
  tracker_.remove(second.id);
  EXPECT_NE(open(1).id, 0U);
}

TEST_F(ServerConnectionTrackerTest, DrainingRefusesNewConnectionsAndTellsEveryOpenOne) {
  open(4);
  open(4);
  tracker_.drainAll();
  EXPECT_TRUE(tracker_.draining());
  EXPECT_TRUE(tracker_.closingAfterEachResponse());
  EXPECT_EQ(connection(0).drains, 1);
  EXPECT_EQ(connection(1).drains, 1);
  EXPECT_EQ(open(4).id, 0U);
  EXPECT_EQ(connection(2).drains, 0);
}

}  // namespace
}  // namespace irsa::server
