#pragma once
// client-go's client-side limiter (flowcontrol.NewTokenBucketRateLimiter):
// a bucket of `burst` tokens refilled at `qps` per second. Waiting callers
// *reserve* a future token (the count may go negative, as in
// golang.org/x/time/rate) and sleep on an asio timer for the returned delay,
// so the limiter itself never blocks and needs no queue. Pure arithmetic
// under a mutex; time is passed in so tests need no clock.

#include <chrono>
#include <mutex>
#include <optional>

namespace irsa::kube {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // qps <= 0 disables limiting; burst < 1 counts as 1.
  RateLimiter(double qps, int burst, Clock::time_point now = Clock::now());

  // Takes a token if one is free now.
  bool tryAcquire(Clock::time_point now = Clock::now());

  // Takes the next token and returns how long to wait before using it (zero
  // when one is free now), or nullopt, with nothing taken, when that wait
  // would exceed `maxWait`.
  std::optional<Clock::duration> reserve(Clock::duration maxWait, Clock::time_point now = Clock::now());

 private:
  void refill(Clock::time_point now);  // requires mutex_

  const double qps_;
  const double burst_;
  std::mutex mutex_;
  double tokens_;           // guarded by mutex_; negative: promised to waiters
  Clock::time_point last_;  // guarded by mutex_; when tokens_ was last refilled
};

}  // namespace irsa::kube
