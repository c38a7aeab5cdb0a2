// RateLimiter: client-go's token bucket, with time passed in (no clock).

#include <gtest/gtest.h>

#include "kube/RateLimiter.hpp"

namespace irsa::kube {
namespace {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

TEST(KubeRateLimiter, AFullBucketAllowsABurstThenRefillsAtQps) {
  const auto t0 = Clock::time_point{} + 1h;
  RateLimiter limiter(10, 3, t0);
  EXPECT_TRUE(limiter.tryAcquire(t0));
  EXPECT_TRUE(limiter.tryAcquire(t0));
  EXPECT_TRUE(limiter.tryAcquire(t0));
  EXPECT_FALSE(limiter.tryAcquire(t0));
  EXPECT_FALSE(limiter.tryAcquire(t0 + 50ms));
  EXPECT_TRUE(limiter.tryAcquire(t0 + 100ms));  // one token per 100ms
  EXPECT_FALSE(limiter.tryAcquire(t0 + 100ms));
}

TEST(KubeRateLimiter, TheBucketNeverHoldsMoreThanBurst) {
  const auto t0 = Clock::time_point{} + 1h;
  RateLimiter limiter(10, 2, t0);
  const auto later = t0 + 1h;
  EXPECT_TRUE(limiter.tryAcquire(later));
  EXPECT_TRUE(limiter.tryAcquire(later));
  EXPECT_FALSE(limiter.tryAcquire(later));
}

TEST(KubeRateLimiter, ReservationsQueueUpInTokenOrder) {
  const auto t0 = Clock::time_point{} + 1h;
  RateLimiter limiter(10, 1, t0);
  EXPECT_EQ(limiter.reserve(1s, t0), Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(1s, t0), std::chrono::duration_cast<Clock::duration>(100ms));
  EXPECT_EQ(limiter.reserve(1s, t0), std::chrono::duration_cast<Clock::duration>(200ms));
  // Promised tokens are not free for a skip-if-limited caller.
  EXPECT_FALSE(limiter.tryAcquire(t0 + 150ms));
}

TEST(KubeRateLimiter, AWaitBeyondMaxWaitTakesNothing) {
  const auto t0 = Clock::time_point{} + 1h;
  RateLimiter limiter(1, 1, t0);
  EXPECT_EQ(limiter.reserve(1s, t0), Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(500ms, t0), std::nullopt);
  EXPECT_EQ(limiter.reserve(1s, t0), std::chrono::duration_cast<Clock::duration>(1s));
}

TEST(KubeRateLimiter, ZeroQpsMeansNoLimit) {
  RateLimiter limiter(0, 1);
  for (int i = 0; i < 1000; ++i)
    ASSERT_TRUE(limiter.tryAcquire());
  EXPECT_EQ(limiter.reserve(0s), Clock::duration::zero());
}

}  // namespace
}  // namespace irsa::kube
