#include "server/SummaryFamily.hpp"

namespace irsa::server {

SummaryFamily::Series& SummaryFamily::Add(const prometheus::Labels& labels) {
  std::lock_guard lock(mutex_);
  for (auto& [l, s] : series_) {
    if (l == labels) return *s;
  }
  series_.emplace_back(labels, std::make_unique<Series>());
  return *series_.back().second;
}

std::vector<prometheus::MetricFamily> SummaryFamily::Collect() const {
  std::lock_guard lock(mutex_);
  if (series_.empty()) return {};  // like a Go vector before its first use
  prometheus::MetricFamily family{name_, help_, prometheus::MetricType::Summary, {}};
  for (const auto& [labels, s] : series_) {
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels)
      m.label.push_back({k, v});
    // Count first: a racing Observe may then show in the sum, never the
    // count without its sum... close enough for a scrape either way.
    m.summary.sample_count = s->count_.load(std::memory_order_relaxed);
    m.summary.sample_sum = s->sum_.load(std::memory_order_relaxed);
    family.metric.push_back(std::move(m));
  }
  return {std::move(family)};
}

}  // namespace irsa::server
