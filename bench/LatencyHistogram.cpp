#include "bench/LatencyHistogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace irsa::bench {

LatencyHistogram::LatencyHistogram() : counts_(bucketCount(), 0) {}

std::size_t LatencyHistogram::bucketIndex(Nanos value) {
  value = std::min(value, kHighestTrackable);
  if (value < kSubBuckets) return static_cast<std::size_t>(value);
  const unsigned top = static_cast<unsigned>(std::bit_width(value)) - 1;  // >= kSubBucketBits
  const unsigned shift = top - kSubBucketBits;
  const Nanos sub = (value >> shift) - kSubBuckets;
  return static_cast<std::size_t>(kSubBuckets + shift * kSubBuckets + sub);
}

LatencyHistogram::Nanos LatencyHistogram::bucketLow(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::size_t octave = (index - kSubBuckets) / kSubBuckets;
  const std::size_t sub = (index - kSubBuckets) % kSubBuckets;
  return (kSubBuckets + sub) << octave;
}

LatencyHistogram::Nanos LatencyHistogram::bucketHigh(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::size_t octave = (index - kSubBuckets) / kSubBuckets;
  return bucketLow(index) + (Nanos{1} << octave) - 1;
}

void LatencyHistogram::record(std::chrono::nanoseconds value) {
  recordNanos(value.count() < 0 ? 0 : static_cast<Nanos>(value.count()));
}

void LatencyHistogram::recordNanos(Nanos value) {
  ++counts_[bucketIndex(value)];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value);
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

LatencyHistogram::Nanos LatencyHistogram::percentile(double percent) const {
  if (count_ == 0) return 0;
  if (percent <= 0) return min_;
  percent = std::min(percent, 100.0);
  // The rank of the value asked for, 1-based (p50 of 2 values is the first);
  // the epsilon keeps 99.9 % of 1000 at rank 999 despite 99.9's binary error.
  const double exact = percent * static_cast<double>(count_) / 100.0;
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(exact - 1e-9)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // The top bucket also holds everything above the range: only max is safe.
      if (i + 1 == counts_.size()) return max_;
      return std::clamp(bucketHigh(i), min_, max_);
    }
  }
  return max_;
}

}  // namespace irsa::bench
