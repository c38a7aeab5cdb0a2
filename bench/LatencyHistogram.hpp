#pragma once
// Latencies in a log-linear histogram (HdrHistogram's layout): exact below
// 128 ns, then 128 linear sub-buckets per power of two, so a value is known
// to within 1/128 (< 0.8 %) everywhere up to 2^36 ns (68.7 s). Fixed size
// (30 KiB), no allocation when recording, and mergeable, so each load thread
// keeps its own and the run adds them up at the end.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace irsa::bench {

class LatencyHistogram {
 public:
  using Nanos = std::uint64_t;
  static constexpr unsigned kSubBucketBits = 7;
  static constexpr Nanos kSubBuckets = Nanos{1} << kSubBucketBits;
  static constexpr unsigned kTopBit = 35;  // values up to 2^36 - 1 ns
  static constexpr Nanos kHighestTrackable = (Nanos{1} << (kTopBit + 1)) - 1;

  LatencyHistogram();

  // Negative values count as 0; values above kHighestTrackable land in the
  // top bucket, and max() still reports them exactly.
  void record(std::chrono::nanoseconds value);
  void recordNanos(Nanos value);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  Nanos min() const { return count_ == 0 ? 0 : min_; }
  Nanos max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  // The smallest bucket upper edge at or below which `percent` % of the
  // values fall (HdrHistogram's "highest equivalent value"), capped at max():
  // conservative, never below the true percentile. p0 is min(); 0 when empty.
  Nanos percentile(double percent) const;

  // Bucket arithmetic (public for tests).
  static std::size_t bucketIndex(Nanos value);
  static Nanos bucketLow(std::size_t index);
  static Nanos bucketHigh(std::size_t index);  // inclusive
  static constexpr std::size_t bucketCount() {
    return static_cast<std::size_t>(kSubBuckets + (kTopBit + 1 - kSubBucketBits) * kSubBuckets);
  }

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_{0};
  Nanos min_{0};
  Nanos max_{0};
  double sum_{0};
};

}  // namespace irsa::bench
