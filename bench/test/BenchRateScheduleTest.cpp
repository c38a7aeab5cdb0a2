// RateSchedule: the send times of an open-loop run.
#include <gtest/gtest.h>

#include "bench/RateSchedule.hpp"

namespace irsa::bench {
namespace {

using namespace std::chrono_literals;
using Clock = RateSchedule::Clock;

TEST(BenchRateScheduleTest, RequestIIsDueAtIOverRateWithoutDrift) {
  const Clock::time_point t0{};
  RateSchedule s(t0, 500);
  EXPECT_EQ(s.offset(0), 0ns);
  EXPECT_EQ(s.offset(1), 2ms);
  EXPECT_EQ(s.offset(500), 1s);
  EXPECT_EQ(s.offset(500'000'000), 1'000'000s) << "computed from the index, so no accumulated error";
  RateSchedule thirds(t0, 3);
  EXPECT_EQ(thirds.offset(1), 333'333'333ns) << "floored";
  EXPECT_EQ(thirds.offset(3), 1s);
  RateSchedule fractional(t0, 0.5);
  EXPECT_EQ(fractional.offset(3), 6s);
  EXPECT_EQ(s.at(10), t0 + 20ms);
}

TEST(BenchRateScheduleTest, DueByCountsTheRequestsDueAtOrBeforeATime) {
  const Clock::time_point t0 = Clock::time_point{} + 1h;
  RateSchedule s(t0, 1000);
  EXPECT_EQ(s.dueBy(t0 - 1ns), 0u);
  EXPECT_EQ(s.dueBy(t0), 1u);
  EXPECT_EQ(s.dueBy(t0 + 999'999ns), 1u);
  EXPECT_EQ(s.dueBy(t0 + 1ms), 2u);
  EXPECT_EQ(s.dueBy(t0 + 10s), 10001u);
}

TEST(BenchRateScheduleTest, FirstAtOrAfterFindsTheWindowBoundaries) {
  const Clock::time_point t0{};
  RateSchedule s(t0, 500);
  EXPECT_EQ(s.firstAtOrAfter(t0), 0u);
  EXPECT_EQ(s.firstAtOrAfter(t0 + 1ns), 1u);
  EXPECT_EQ(s.firstAtOrAfter(t0 + 2s), 1000u) << "a 2 s warmup holds requests 0..999";
  EXPECT_EQ(s.firstAtOrAfter(t0 + 12s) - s.firstAtOrAfter(t0 + 2s), 5000u) << "10 s at 500/s";
}

TEST(BenchRateScheduleTest, DueByAndFirstAtOrAfterAgreeWithAtForOddRates) {
  const Clock::time_point t0{};
  // Periods of at least 4 µs: every due time is distinct at 1 ns resolution.
  for (double rate : {1.0, 3.0, 7.5, 333.3, 999.0, 12345.6, 250000.0}) {
    RateSchedule s(t0, rate);
    for (std::uint64_t i = 0; i < 2000; i += 7) {
      const auto t = s.at(i);
      EXPECT_EQ(s.dueBy(t), i + 1) << "rate " << rate << " index " << i;
      EXPECT_EQ(s.dueBy(t - 1ns), i) << "rate " << rate << " index " << i;
      EXPECT_EQ(s.firstAtOrAfter(t), i) << "rate " << rate << " index " << i;
      EXPECT_EQ(s.firstAtOrAfter(t + 1ns), i + 1) << "rate " << rate << " index " << i;
    }
  }
}

}  // namespace
}  // namespace irsa::bench
