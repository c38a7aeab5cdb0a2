#include "kube/RateLimiter.hpp"

#include <algorithm>

namespace irsa::kube {

RateLimiter::RateLimiter(double qps, int burst, Clock::time_point now)
    : qps_(qps), burst_(static_cast<double>(std::max(burst, 1))), tokens_(burst_), last_(now) {}

void RateLimiter::refill(Clock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
  last_ = now;
}

bool RateLimiter::tryAcquire(Clock::time_point now) {
  if (qps_ <= 0) return true;
  std::lock_guard lock(mutex_);
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

std::optional<RateLimiter::Clock::duration> RateLimiter::reserve(Clock::duration maxWait,
                                                                 Clock::time_point now) {
  if (qps_ <= 0) return Clock::duration::zero();
  std::lock_guard lock(mutex_);
  refill(now);
  const double after = tokens_ - 1.0;
  if (after >= 0) {
    tokens_ = after;
    return Clock::duration::zero();
  }
  const auto wait = std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(-after / qps_));
  if (wait > maxWait) return std::nullopt;
  tokens_ = after;
  return wait;
}

}  // namespace irsa::kube
