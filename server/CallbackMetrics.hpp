#pragma once
// Gauges and counters whose value lives elsewhere (cache sizes, certificate
// expiry, a cache's lookup counters), read when scraped. A prometheus-cpp
// Collectable, so they are serialized with every other series.

#include <prometheus/collectable.h>
#include <prometheus/labels.h>
#include <prometheus/metric_family.h>
#include <prometheus/metric_type.h>

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::server {

class CallbackMetrics final : public prometheus::Collectable {
 public:
  // Series of one name share its help and type (the first one's). Fails on
  // an invalid name, type clash or label text.
  util::Status add(std::string name, std::string help, prometheus::MetricType type,
                   std::function<double()> read, const std::string& labels);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Series {
    prometheus::Labels labels;
    std::function<double()> read;
  };
  struct Family {
    std::string name;
    std::string help;
    prometheus::MetricType type;
    std::vector<Series> series;
  };
  mutable std::mutex mutex_;
  std::vector<Family> families_;  // guarded by mutex_
};

// `version="1.0",outcome="hit"` (the inside of {…}) as labels; escapes
// \\, \" and \n as in the text format.
util::Result<prometheus::Labels> parseLabels(std::string_view text);

}  // namespace irsa::server
