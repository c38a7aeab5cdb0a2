#pragma once
// The Prometheus text format as the Go client (expfmt) writes it, through
// prometheus-cpp's Serializer interface. prometheus-cpp's TextSerializer
// writes numbers its own way (`le="1000000"`); the reference writes
// `le="1e+06"`, and Prometheus 2 compares label values as text, so queries
// and recording rules that name a bucket would stop matching after the swap.

#include <prometheus/serializer.h>

namespace irsa::server {

class GoTextSerializer : public prometheus::Serializer {
 public:
  using prometheus::Serializer::Serialize;
  void Serialize(std::ostream& out, const std::vector<prometheus::MetricFamily>& families) const override;
};

}  // namespace irsa::server
