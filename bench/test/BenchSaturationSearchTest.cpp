// SaturationSearch: ramp multiplicatively, then bisect, within bounds.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "bench/SaturationSearch.hpp"

namespace irsa::bench {
namespace {

// Runs the search against a server that holds every rate up to `capacity`.
std::vector<double> simulate(SaturationSearch& search, double capacity) {
  std::vector<double> tried;
  while (auto rate = search.next()) {
    tried.push_back(*rate);
    search.record(*rate, *rate <= capacity);
  }
  return tried;
}

TEST(BenchSaturationSearchTest, RampsByDoublingThenBisectsToWithinPrecision) {
  SaturationSearch search({.startRate = 500, .maxRate = 1e6, .maxSteps = 30});
  const auto tried = simulate(search, 3100);
  ASSERT_GE(tried.size(), 5u);
  EXPECT_EQ(tried[0], 500);
  EXPECT_EQ(tried[1], 1000);
  EXPECT_EQ(tried[2], 2000);
  EXPECT_EQ(tried[3], 4000);
  EXPECT_EQ(tried[4], 3000) << "bisects between the last pass and the first failure";
  EXPECT_TRUE(search.found());
  EXPECT_LE(search.bestPass(), 3100);
  EXPECT_GE(search.bestPass(), 3100 * 0.95 - 1) << "converged within 5 %";
}

TEST(BenchSaturationSearchTest, NeverExceedsMaxRateAndStopsWhenItHolds) {
  SaturationSearch search({.startRate = 500, .maxRate = 3000, .maxSteps = 30});
  const auto tried = simulate(search, 1e9);
  EXPECT_EQ(tried, (std::vector<double>{500, 1000, 2000, 3000}));
  EXPECT_EQ(search.bestPass(), 3000);
}

TEST(BenchSaturationSearchTest, BisectsDownwardWhenTheFirstStepFails) {
  SaturationSearch search({.startRate = 1000, .maxRate = 1e6, .maxSteps = 30});
  const auto tried = simulate(search, 300);
  EXPECT_EQ(tried[1], 500);
  EXPECT_EQ(tried[2], 250);
  EXPECT_TRUE(search.found());
  EXPECT_LE(search.bestPass(), 300);
  EXPECT_GE(search.bestPass(), 280);
}

TEST(BenchSaturationSearchTest, ReportsNothingFoundWhenEveryStepFails) {
  SaturationSearch search({.startRate = 100, .maxRate = 1e6, .maxSteps = 30});
  const auto tried = simulate(search, 0);
  EXPECT_FALSE(search.found());
  EXPECT_EQ(search.bestPass(), 0);
  EXPECT_LE(tried.size(), 30u);
  EXPECT_EQ(tried.back(), 1) << "down to one request per second, then stops";
}

TEST(BenchSaturationSearchTest, StepCountIsBounded) {
  SaturationSearch search({.startRate = 1, .maxRate = 1e7, .maxSteps = 6});
  const auto tried = simulate(search, 5e6);
  EXPECT_EQ(tried.size(), 6u);
  EXPECT_EQ(search.steps(), 6u);
  EXPECT_EQ(search.bestPass(), 32);
}

}  // namespace
}  // namespace irsa::bench
