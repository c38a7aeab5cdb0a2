// GoTextSerializer writes what the Go client's expfmt writes for the same
// families (checked by hand against client_golang's text_create.go rules and,
// in e2e test_side_by_side.py, against the reference's own scrape).
#include <gtest/gtest.h>

#include <cmath>

#include "server/GoTextSerializer.hpp"

namespace irsa::server {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

ClientMetric withLabels(std::vector<ClientMetric::Label> labels) {
  ClientMetric m;
  m.label = std::move(labels);
  return m;
}

TEST(ServerGoTextSerializerTest, HistogramBoundsAndSumsAreWrittenAsGoFormatsFloats) {
  MetricFamily f{"http_request_latencies", "Latency", MetricType::Histogram, {}};
  ClientMetric m = withLabels({{"path", "/mutate"}});
  for (double bound : {125000.0, 500000.0, 1e6, 1.6e7}) {
    m.histogram.bucket.push_back({3, bound});
  }
  m.histogram.sample_count = 4;
  m.histogram.sample_sum = 1234567;
  f.metric.push_back(m);
  EXPECT_EQ(GoTextSerializer().Serialize({f}),
            "# HELP http_request_latencies Latency\n"
            "# TYPE http_request_latencies histogram\n"
            "http_request_latencies_bucket{path=\"/mutate\",le=\"125000\"} 3\n"
            "http_request_latencies_bucket{path=\"/mutate\",le=\"500000\"} 3\n"
            "http_request_latencies_bucket{path=\"/mutate\",le=\"1e+06\"} 3\n"
            "http_request_latencies_bucket{path=\"/mutate\",le=\"1.6e+07\"} 3\n"
            "http_request_latencies_bucket{path=\"/mutate\",le=\"+Inf\"} 4\n"
            "http_request_latencies_sum{path=\"/mutate\"} 1.234567e+06\n"
            "http_request_latencies_count{path=\"/mutate\"} 4\n");
}

TEST(ServerGoTextSerializerTest, AnInfBucketFromTheLibraryIsNotWrittenTwice) {
  MetricFamily f{"h", "", MetricType::Histogram, {}};
  ClientMetric m;
  m.histogram.bucket = {{1, 0.5}, {2, INFINITY}};
  m.histogram.sample_count = 2;
  m.histogram.sample_sum = 0.75;
  f.metric.push_back(m);
  EXPECT_EQ(GoTextSerializer().Serialize({f}),
            "# HELP h \n# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum "
            "0.75\nh_count 2\n");
}

TEST(ServerGoTextSerializerTest, SummaryCounterGaugeAndUntyped) {
  MetricFamily summary{"d", "a \\ b\nc", MetricType::Summary, {}};
  ClientMetric s = withLabels({{"verb", "POST"}});
  s.summary.quantile = {{0.5, 7}};
  s.summary.sample_count = 3;
  s.summary.sample_sum = 21.5;
  summary.metric.push_back(s);
  MetricFamily counter{"c_total", "C", MetricType::Counter, {}};
  ClientMetric c = withLabels({{"path", "a\"b\\c\nd"}});
  c.counter.value = 2e6;
  counter.metric.push_back(c);
  MetricFamily gauge{"g", "G", MetricType::Gauge, {}};
  ClientMetric g;
  g.gauge.value = NAN;
  gauge.metric.push_back(g);
  MetricFamily untyped{"u", "U", MetricType::Untyped, {}};
  ClientMetric u;
  u.untyped.value = -1;
  untyped.metric.push_back(u);
  EXPECT_EQ(GoTextSerializer().Serialize({summary, counter, gauge, untyped}),
            "# HELP d a \\\\ b\\nc\n# TYPE d summary\n"
            "d{verb=\"POST\",quantile=\"0.5\"} 7\nd_sum{verb=\"POST\"} 21.5\nd_count{verb=\"POST\"} 3\n"
            "# HELP c_total C\n# TYPE c_total counter\nc_total{path=\"a\\\"b\\\\c\\nd\"} 2e+06\n"
            "# HELP g G\n# TYPE g gauge\ng NaN\n"
            "# HELP u U\n# TYPE u untyped\nu -1\n");
}

TEST(ServerGoTextSerializerTest, AFamilyWithoutSeriesIsLeftOutAsTheGoClientDoes) {
  MetricFamily empty{"pod_identity_webhook_pod_count", "Pods", MetricType::Counter, {}};
  MetricFamily one{"x", "X", MetricType::Gauge, {}};
  one.metric.emplace_back();
  EXPECT_EQ(GoTextSerializer().Serialize({empty, one}), "# HELP x X\n# TYPE x gauge\nx 0\n");
}

}  // namespace
}  // namespace irsa::server
