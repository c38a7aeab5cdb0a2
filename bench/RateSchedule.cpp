#include "bench/RateSchedule.hpp"

#include <cmath>

namespace irsa::bench {

RateSchedule::RateSchedule(Clock::time_point start, double ratePerSecond)
    : start_(start), rate_(ratePerSecond) {}

std::chrono::nanoseconds RateSchedule::offset(std::uint64_t index) const {
  // long double keeps integer nanoseconds exact far past any real run.
  const long double ns = std::floor(static_cast<long double>(index) * 1e9L / static_cast<long double>(rate_));
  return std::chrono::nanoseconds(static_cast<std::int64_t>(ns));
}

std::uint64_t RateSchedule::dueBy(Clock::time_point t) const {
  const auto d = t - start_;
  if (d < Clock::duration::zero()) return 0;
  // An estimate from the inverse, corrected to the exact integer answer.
  const long double seconds = std::chrono::duration<long double>(d).count();
  auto k = static_cast<std::uint64_t>(std::floor(seconds * static_cast<long double>(rate_))) + 1;
  while (k > 0 && offset(k - 1) > d)
    --k;
  while (offset(k) <= d)
    ++k;
  return k;
}

std::uint64_t RateSchedule::firstAtOrAfter(Clock::time_point t) const {
  const auto d = t - start_;
  if (d <= Clock::duration::zero()) return 0;
  const long double seconds = std::chrono::duration<long double>(d).count();
  auto k = static_cast<std::uint64_t>(std::ceil(seconds * static_cast<long double>(rate_)));
  while (k > 0 && offset(k - 1) >= d)
    --k;
  while (offset(k) < d)
    ++k;
  return k;
}

}  // namespace irsa::bench
