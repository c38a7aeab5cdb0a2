#include "server/CallbackMetrics.hpp"

#include <prometheus/check_names.h>

namespace irsa::server {

util::Result<prometheus::Labels> parseLabels(std::string_view text) {
  prometheus::Labels labels;
  std::size_t i = 0;
  const auto bad = [&](const std::string& why) {
    return util::Result<prometheus::Labels>(util::fail("labels `" + std::string(text) + "`: " + why));
  };
  while (i < text.size()) {
    const auto eq = text.find('=', i);
    if (eq == std::string_view::npos || eq + 1 >= text.size() || text[eq + 1] != '"')
      return bad("want name=\"value\"");
    std::string name(text.substr(i, eq - i));
    if (!prometheus::CheckLabelName(name)) return bad("invalid label name \"" + name + "\"");
    std::string value;
    std::size_t j = eq + 2;
    for (; j < text.size() && text[j] != '"'; ++j) {
      if (text[j] == '\\' && j + 1 < text.size()) {
        ++j;
        value.push_back(text[j] == 'n' ? '\n' : text[j]);
      } else {
        value.push_back(text[j]);
      }
    }
    if (j >= text.size()) return bad("unterminated value");
    if (!labels.emplace(std::move(name), std::move(value)).second) return bad("repeated label");
    i = j + 1;
    if (i < text.size()) {
      if (text[i] != ',') return bad("want ',' between labels");
      ++i;
    }
  }
  return labels;
}

util::Status CallbackMetrics::add(std::string name, std::string help, prometheus::MetricType type,
                                  std::function<double()> read, const std::string& labels) {
  if (!prometheus::CheckMetricName(name)) return util::fail("invalid metric name \"" + name + "\"");
  auto parsed = parseLabels(labels);
  if (!parsed) return parsed.failure().within(name);
  std::lock_guard lock(mutex_);
  for (auto& f : families_) {
    if (f.name != name) continue;
    if (f.type != type) return util::fail(name + ": registered already with another type");
    f.series.push_back(Series{std::move(*parsed), std::move(read)});
    return util::okStatus();
  }
  families_.push_back(Family{std::move(name), std::move(help), type, {}});
  families_.back().series.push_back(Series{std::move(*parsed), std::move(read)});
  return util::okStatus();
}

std::vector<prometheus::MetricFamily> CallbackMetrics::Collect() const {
  std::lock_guard lock(mutex_);
  std::vector<prometheus::MetricFamily> out;
  out.reserve(families_.size());
  for (const auto& f : families_) {
    prometheus::MetricFamily family{f.name, f.help, f.type, {}};
    for (const auto& s : f.series) {
      prometheus::ClientMetric m;
      for (const auto& [k, v] : s.labels)
        m.label.push_back({k, v});
      const double value = s.read();
      if (f.type == prometheus::MetricType::Counter) {
        m.counter.value = value;
      } else {
        m.gauge.value = value;
      }
      family.metric.push_back(std::move(m));
    }
    out.push_back(std::move(family));
  }
  return out;
}

}  // namespace irsa::server
