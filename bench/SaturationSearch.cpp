#include "bench/SaturationSearch.hpp"

#include <algorithm>
#include <cmath>

namespace irsa::bench {

SaturationSearch::SaturationSearch(const Options& options) : options_(options) {
  options_.startRate = std::max(1.0, std::round(std::min(options_.startRate, options_.maxRate)));
}

std::optional<double> SaturationSearch::next() const {
  if (done_ || steps_ >= options_.maxSteps) return std::nullopt;
  if (steps_ == 0) return options_.startRate;
  if (ramping_) return std::min(options_.maxRate, std::round(lastRate_ * options_.growth));
  return std::round((bestPass_ + lowestFail_) / 2);
}

void SaturationSearch::record(double rate, bool passed) {
  ++steps_;
  lastRate_ = rate;
  if (passed) {
    bestPass_ = std::max(bestPass_, rate);
    if (ramping_ && rate >= options_.maxRate) done_ = true;  // held the ceiling
  } else {
    lowestFail_ = lowestFail_ == 0 ? rate : std::min(lowestFail_, rate);
    ramping_ = false;
  }
  if (!ramping_) {
    const double gap = lowestFail_ - bestPass_;
    const double mid = std::round((bestPass_ + lowestFail_) / 2);
    // Converged, or no whole rate left between them.
    if (gap <= options_.precision * lowestFail_ || mid <= bestPass_ || mid >= lowestFail_) done_ = true;
  }
}

}  // namespace irsa::bench
