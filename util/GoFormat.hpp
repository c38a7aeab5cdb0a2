#pragma once
// Go's text for numbers and durations, where our output must match a Go
// program's byte for byte: klog values (logs) and the Prometheus text
// format of the Go client (metrics).

#include <chrono>
#include <string>

namespace irsa::util {

// fmt's %v, strconv.FormatFloat(v, 'g', -1, 64): "0.5", "125000", "1e+06", "+Inf", "NaN".
std::string goFloatString(double v);

// Go's time.Duration.String() of a duration ("1m30s", "250ms", "0s").
std::string goDurationString(std::chrono::nanoseconds d);

}  // namespace irsa::util
