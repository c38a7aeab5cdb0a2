#pragma once
// Which rate a saturation search tries next: multiply the rate while steps
// pass, then bisect between the highest pass and the lowest failure until
// they are within `precision` of each other, never beyond `maxSteps` steps
// or above `maxRate`. Pure arithmetic: the command runs the steps.

#include <cstddef>
#include <optional>

namespace irsa::bench {

class SaturationSearch {
 public:
  struct Options {
    double startRate{500};
    double maxRate{200000};
    std::size_t maxSteps{12};
    double growth{2.0};      // ramp factor
    double precision{0.05};  // stop when (fail - pass) <= precision * fail
  };

  explicit SaturationSearch(const Options& options);

  // The next rate to try (whole requests per second), or nullopt when done.
  std::optional<double> next() const;
  // The result of trying `rate` (the value next() returned).
  void record(double rate, bool passed);

  bool found() const { return bestPass_ > 0; }
  double bestPass() const { return bestPass_; }  // 0 when nothing passed
  std::size_t steps() const { return steps_; }

 private:
  Options options_;
  std::size_t steps_{0};
  bool ramping_{true};
  double lastRate_{0};
  double bestPass_{0};
  double lowestFail_{0};  // 0: none yet
  bool done_{false};
};

}  // namespace irsa::bench
