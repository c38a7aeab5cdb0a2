#pragma once
// The send times of an open-loop run: request i is due at
// start + floor(i * 1e9 / rate) ns. Each time is computed from the index,
// never by adding periods, so nothing drifts over millions of requests;
// latency is measured from these times, so a server (or a load generator)
// that falls behind cannot hide its queueing (coordinated omission).

#include <chrono>
#include <cstdint>

namespace irsa::bench {

class RateSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  // `ratePerSecond` > 0.
  RateSchedule(Clock::time_point start, double ratePerSecond);

  Clock::time_point start() const { return start_; }
  double rate() const { return rate_; }

  // Offset of request `index` from the start.
  std::chrono::nanoseconds offset(std::uint64_t index) const;
  Clock::time_point at(std::uint64_t index) const { return start_ + offset(index); }
  // How many requests are due at `t`: the count of indices with at(i) <= t.
  std::uint64_t dueBy(Clock::time_point t) const;
  // The first index with at(i) >= t.
  std::uint64_t firstAtOrAfter(Clock::time_point t) const;

 private:
  Clock::time_point start_;
  double rate_;
};

}  // namespace irsa::bench
