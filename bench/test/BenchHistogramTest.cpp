// LatencyHistogram: bucket arithmetic, precision, percentiles, merging.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bench/DeterministicRandom.hpp"
#include "bench/LatencyHistogram.hpp"

namespace irsa::bench {
namespace {

using Nanos = LatencyHistogram::Nanos;

TEST(BenchHistogramTest, BucketsTileTheRangeWithoutGapsOrOverlaps) {
  EXPECT_EQ(LatencyHistogram::bucketLow(0), 0u);
  for (std::size_t i = 1; i < LatencyHistogram::bucketCount(); ++i) {
    ASSERT_EQ(LatencyHistogram::bucketLow(i), LatencyHistogram::bucketHigh(i - 1) + 1) << "bucket " << i;
  }
  EXPECT_EQ(LatencyHistogram::bucketHigh(LatencyHistogram::bucketCount() - 1),
            LatencyHistogram::kHighestTrackable);
}

TEST(BenchHistogramTest, EveryValueLandsInABucketNarrowerThanOnePercentOfIt) {
  DeterministicRandom random(7);
  std::vector<Nanos> values = {0,
                               1,
                               127,
                               128,
                               129,
                               255,
                               256,
                               1000,
                               1023,
                               1024,
                               999'999,
                               1'000'000,
                               60'000'000'000ULL,
                               LatencyHistogram::kHighestTrackable};
  for (int i = 0; i < 100000; ++i) {
    // Spread over every power of two up to the top.
    const unsigned bits = static_cast<unsigned>(random.below(LatencyHistogram::kTopBit + 1)) + 1;
    values.push_back(random.below(Nanos{1} << bits));
  }
  for (Nanos v : values) {
    const std::size_t i = LatencyHistogram::bucketIndex(v);
    const Nanos low = LatencyHistogram::bucketLow(i);
    const Nanos high = LatencyHistogram::bucketHigh(i);
    ASSERT_LE(low, v);
    ASSERT_GE(high, v);
    // From 1 µs up, a bucket is under 1 % of its values (1/128 by design).
    if (v >= 1000) {
      ASSERT_LT(static_cast<double>(high - low + 1) / static_cast<double>(v), 0.01) << v;
    } else if (v < 128) {
      ASSERT_EQ(low, high) << "exact below 128 ns";
    }
  }
}

TEST(BenchHistogramTest, ValuesAboveTheRangeGoToTheTopBucketAndMaxStaysExact) {
  LatencyHistogram h;
  const Nanos huge = LatencyHistogram::kHighestTrackable * 4;
  h.recordNanos(huge);
  h.recordNanos(huge + 1);
  EXPECT_EQ(LatencyHistogram::bucketIndex(huge), LatencyHistogram::bucketCount() - 1);
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.max(), huge + 1);
  EXPECT_EQ(h.percentile(100), huge + 1);
  EXPECT_EQ(h.percentile(50), huge + 1) << "the top bucket's edge is below its values: reported as the max";
  h.record(std::chrono::nanoseconds(-5));
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.percentile(10), 0u);
}

TEST(BenchHistogramTest, PercentilesOfAUniformSequenceAreWithinOnePercent) {
  LatencyHistogram h;
  // 1 µs .. 10 ms in 1 µs steps: the p-th percentile is p % of 10 ms.
  for (Nanos us = 1; us <= 10000; ++us)
    h.recordNanos(us * 1000);
  EXPECT_EQ(h.count(), 10000u);
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double expected = p / 100.0 * 10'000'000.0;
    const double got = static_cast<double>(h.percentile(p));
    EXPECT_GE(got, expected) << "p" << p << " never under the true value";
    EXPECT_LE(got, expected * 1.01) << "p" << p;
  }
  EXPECT_EQ(h.percentile(100), 10'000'000u);
  EXPECT_EQ(h.percentile(0), 1000u);
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_EQ(h.max(), 10'000'000u);
  EXPECT_NEAR(h.mean(), 5'000'500.0, 1.0);
}

TEST(BenchHistogramTest, PercentileRanksRoundUp) {
  LatencyHistogram h;
  for (Nanos v = 1; v <= 100; ++v)
    h.recordNanos(v * 1'000'000);  // 1..100 ms
  // p99 of 100 values is the 99th, not the 100th (99 and 100 ms are in
  // different buckets here); p50 the 50th.
  EXPECT_GE(h.percentile(99), 99'000'000ULL);
  EXPECT_LT(h.percentile(99), 100'000'000ULL);
  EXPECT_GE(h.percentile(50), 50'000'000ULL);
  EXPECT_LT(h.percentile(50), 51'000'000ULL);
  EXPECT_GE(h.percentile(99.5), 100'000'000ULL);
}

TEST(BenchHistogramTest, SkewedDistributionKeepsItsTail) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i)
    h.recordNanos(200'000);  // 0.2 ms
  for (int i = 0; i < 10; ++i)
    h.recordNanos(50'000'000);  // 50 ms
  EXPECT_LE(h.percentile(99), 200'000u * 101 / 100);
  EXPECT_GE(h.percentile(99.9), 50'000'000u);
  EXPECT_EQ(h.max(), 50'000'000u);
}

TEST(BenchHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, all;
  DeterministicRandom random(3);
  for (int i = 0; i < 5000; ++i) {
    const Nanos v = random.below(1'000'000'000);
    (i % 3 == 0 ? a : b).recordNanos(v);
    all.recordNanos(v);
  }
  LatencyHistogram empty;
  a.merge(empty);
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.9})
    EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
  empty.merge(all);
  EXPECT_EQ(empty.percentile(99), all.percentile(99));
}

TEST(BenchHistogramTest, EmptyHistogramReportsZeros) {
  LatencyHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

}  // namespace
}  // namespace irsa::bench
