// The /metrics text after a known sequence of events: the reference's series
// with its names, types, labels and label values; probes and 404s only in
// our own request series; families a Go client would not show yet absent.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>

#include "server/Metrics.hpp"

namespace irsa::server {
namespace {

namespace http = boost::beast::http;

// A minimal reader of the text format: series (name plus labels, as
// written) to value, and family name to type.
struct Exposition {
  std::map<std::string, double> values;
  std::map<std::string, std::string> types;

  explicit Exposition(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("# TYPE ", 0) == 0) {
        const auto space = line.find(' ', 7);
        types[line.substr(7, space - 7)] = line.substr(space + 1);
        continue;
      }
      if (line.empty() || line[0] == '#') continue;
      const auto space = line.rfind(' ');
      values[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
  }
  std::optional<double> value(const std::string& series) const {
    auto it = values.find(series);
    return it == values.end() ? std::nullopt : std::optional(it->second);
  }
  bool hasFamily(const std::string& prefix) const {
    for (const auto& [series, _] : values) {
      if (series.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }
};

Metrics& routed(Metrics& m) {
  m.addRoute(ListenerKind::kWebhook, "/mutate", true);
  m.addRoute(ListenerKind::kWebhook, "/healthz", false);
  m.addRoute(ListenerKind::kWebhook, "/debug/alpha/deny", true);
  m.addRoute(ListenerKind::kMetrics, "/metrics", false);
  return m;
}

TEST(ServerMetricsExpositionTest, ReferenceRequestSeriesCountOnlyInstrumentedRoutes) {
  Metrics metrics;
  routed(metrics);
  metrics.observeRequest(ListenerKind::kWebhook, http::verb::post, "/mutate", 200, 1500.7);
  metrics.observeRequest(ListenerKind::kWebhook, http::verb::post, "/mutate", 200, 300000);
  metrics.observeRequest(ListenerKind::kWebhook, http::verb::post, "/mutate", 415, 100);
  metrics.observeRequest(ListenerKind::kWebhook, http::verb::get, "/debug/alpha/deny", 200, 50);
  metrics.observeRequest(ListenerKind::kWebhook, http::verb::get, "/healthz", 200, 10);
  metrics.observeRequest(ListenerKind::kWebhook, http::verb::get, "other", 404, 10);
  metrics.observeRequest(ListenerKind::kMetrics, http::verb::get, "/metrics", 200, 10);
  const std::string text = metrics.render();
  const Exposition e(text);

  EXPECT_EQ(e.types.at("http_request_count"), "counter");
  EXPECT_EQ(e.types.at("http_request_latencies"), "histogram");
  EXPECT_EQ(e.types.at("http_request_duration_microseconds"), "summary");
  EXPECT_EQ(e.value(R"(http_request_count{code="200",path="/mutate",verb="POST"})"), 2.0) << text;
  EXPECT_EQ(e.value(R"(http_request_count{code="415",path="/mutate",verb="POST"})"), 1.0) << text;
  EXPECT_EQ(e.value(R"(http_request_count{code="200",path="/debug/alpha/deny",verb="GET"})"), 1.0) << text;
  int referenceSeries = 0;
  for (const auto& [series, _] : e.values)
    referenceSeries += series.rfind("http_request_count{", 0) == 0;
  EXPECT_EQ(referenceSeries, 3) << "probes, scrapes and 404s must not be counted:\n" << text;

  // Buckets in microseconds, 125 ms doubling; whole microseconds summed.
  const std::string mutate = R"(path="/mutate",verb="POST")";
  EXPECT_EQ(e.value("http_request_latencies_bucket{" + mutate + R"(,le="125000"})"), 2.0) << text;
  EXPECT_EQ(e.value("http_request_latencies_bucket{" + mutate + R"(,le="500000"})"), 3.0) << text;
  EXPECT_EQ(e.value("http_request_latencies_bucket{" + mutate + R"(,le="8e+06"})"), 3.0) << text;
  EXPECT_EQ(e.value("http_request_latencies_bucket{" + mutate + R"(,le="+Inf"})"), 3.0) << text;
  EXPECT_FALSE(e.value("http_request_latencies_bucket{" + mutate + R"(,le="1.6e+07"})")) << text;
  EXPECT_EQ(e.value("http_request_latencies_sum{" + mutate + "}"), 301600.0) << text;
  EXPECT_EQ(e.value("http_request_latencies_count{" + mutate + "}"), 3.0) << text;
  // The reference's summary has no quantiles: sum and count only.
  EXPECT_EQ(e.value("http_request_duration_microseconds_sum{" + mutate + "}"), 301600.0) << text;
  EXPECT_EQ(e.value("http_request_duration_microseconds_count{" + mutate + "}"), 3.0) << text;
  EXPECT_EQ(text.find("quantile="), std::string::npos) << text;

  // Ours count everything, by listener.
  EXPECT_EQ(e.value(R"(irsa_webhook_http_requests_total{code="200",listener="webhook",path="/healthz"})"),
            1.0);
  EXPECT_EQ(e.value(R"(irsa_webhook_http_requests_total{code="404",listener="webhook",path="other"})"), 1.0);
  EXPECT_EQ(e.value(R"(irsa_webhook_http_requests_total{code="200",listener="metrics",path="/metrics"})"),
            1.0);
  EXPECT_EQ(e.value(R"(irsa_webhook_http_requests_total{code="200",listener="webhook",path="/mutate"})"),
            2.0);
  // Unknown routes of one listener are "other", never the raw path.
  metrics.observeRequest(ListenerKind::kMetrics, http::verb::get, "/mutate", 404, 10);
  EXPECT_EQ(Exposition(metrics.render())
                .value(R"(irsa_webhook_http_requests_total{code="404",listener="metrics",path="other"})"),
            1.0);
  // The fine-grained admission histogram: /mutate only.
  EXPECT_EQ(e.value("irsa_webhook_admission_duration_seconds_count"), 3.0) << text;
}

TEST(ServerMetricsExpositionTest, InvalidAnnotationSeriesAreLabelledByAnnotationAndObjectOnFirstUse) {
  using Field = webhook::AnnotationIssue::Field;
  Metrics metrics;
  EXPECT_FALSE(Exposition(metrics.render()).hasFamily("irsa_webhook_annotation_invalid_total"));
  metrics.annotationInvalid(Field::kRoleArn);
  metrics.annotationInvalid(Field::kAudience);
  metrics.annotationInvalid(Field::kAudience);
  metrics.annotationInvalid(Field::kServiceAccountTokenExpiration);
  metrics.annotationInvalid(Field::kPodTokenExpiration);
  metrics.annotationInvalid(Field::kStsRegionalEndpoints);
  Exposition e(metrics.render());
  const std::string name = "irsa_webhook_annotation_invalid_total";
  EXPECT_EQ(e.types.at(name), "counter");
  EXPECT_EQ(e.value(name + R"({annotation="role-arn",object="serviceaccount"})"), 1.0);
  EXPECT_EQ(e.value(name + R"({annotation="audience",object="serviceaccount"})"), 2.0);
  EXPECT_EQ(e.value(name + R"({annotation="token-expiration",object="serviceaccount"})"), 1.0);
  EXPECT_EQ(e.value(name + R"({annotation="token-expiration",object="pod"})"), 1.0);
  EXPECT_EQ(e.value(name + R"({annotation="sts-regional-endpoints",object="serviceaccount"})"), 1.0);
}

TEST(ServerMetricsExpositionTest, PodSeriesUseTheReferenceLabelValuesAndAppearOnFirstUse) {
  Metrics metrics;
  Exposition before(metrics.render());
  EXPECT_FALSE(before.hasFamily("pod_identity_webhook_pod_count"));
  EXPECT_FALSE(before.hasFamily("pod_identity_webhook_missing_sa_count"));
  EXPECT_FALSE(before.hasFamily("http_request_count"));
  EXPECT_EQ(before.value("pod_identity_webhook_used"), 0.0);
  EXPECT_EQ(before.types.at("pod_identity_webhook_used"), "gauge");

  metrics.podMutated(webhook::IdentityMode::kWebIdentity);
  metrics.podMutated(webhook::IdentityMode::kWebIdentity);
  metrics.podMutated(webhook::IdentityMode::kContainerCredentials);
  metrics.missingServiceAccount();
  bool held = false;
  metrics.usedWhen([&held] { return held; });
  Exposition after(metrics.render());
  EXPECT_EQ(after.value(R"(pod_identity_webhook_pod_count{method="sts_web_identity"})"), 2.0);
  EXPECT_EQ(after.value(R"(pod_identity_webhook_pod_count{method="container_credentials"})"), 1.0);
  EXPECT_EQ(after.types.at("pod_identity_webhook_pod_count"), "counter");
  EXPECT_EQ(after.value("pod_identity_webhook_missing_sa_count"), 1.0);
  EXPECT_EQ(after.types.at("pod_identity_webhook_missing_sa_count"), "counter");
  EXPECT_EQ(after.value("pod_identity_webhook_used"), 0.0);
  held = true;
  EXPECT_EQ(Exposition(metrics.render()).value("pod_identity_webhook_used"), 1.0);
  held = false;  // the cache emptied: the reference's gauge stays at 1
  EXPECT_EQ(Exposition(metrics.render()).value("pod_identity_webhook_used"), 1.0);
}

TEST(ServerMetricsExpositionTest, CallbackSeriesAreReadAtScrapeTime) {
  Metrics metrics;
  double size = 3;
  ASSERT_TRUE(metrics.addGauge("irsa_test_size", "size", [&size] { return size; }));
  ASSERT_TRUE(metrics.addCounter(
      "irsa_test_lookups_total", "lookups", [] { return 7.0; }, R"(outcome="hit")"));
  ASSERT_TRUE(metrics.addCounter(
      "irsa_test_lookups_total", "lookups", [] { return 2.0; }, R"(outcome="miss")"));
  size = 5;
  Exposition e(metrics.render());
  EXPECT_EQ(e.value("irsa_test_size"), 5.0);
  EXPECT_EQ(e.types.at("irsa_test_size"), "gauge");
  EXPECT_EQ(e.value(R"(irsa_test_lookups_total{outcome="hit"})"), 7.0);
  EXPECT_EQ(e.value(R"(irsa_test_lookups_total{outcome="miss"})"), 2.0);
  EXPECT_EQ(e.types.at("irsa_test_lookups_total"), "counter");

  EXPECT_FALSE(metrics.addGauge("irsa_test_lookups_total", "clash", [] { return 0.0; }));
  EXPECT_FALSE(metrics.addGauge("bad name", "x", [] { return 0.0; }));
  EXPECT_FALSE(metrics.addGauge(
      "irsa_test_bad_labels", "x", [] { return 0.0; }, "version=1"));
}

TEST(ServerMetricsExpositionTest, LabelTextParsesEscapes) {
  auto labels = parseLabels(R"(a="x\"y",b="1\\2\n")");
  ASSERT_TRUE(labels) << labels.error();
  EXPECT_EQ(labels->at("a"), "x\"y");
  EXPECT_EQ(labels->at("b"), "1\\2\n");
  EXPECT_TRUE(parseLabels(""));
  EXPECT_FALSE(parseLabels(R"(a="x)"));
  EXPECT_FALSE(parseLabels(R"(a="x"b="y")"));
  EXPECT_FALSE(parseLabels(R"(a="x",a="y")"));
}

TEST(ServerMetricsExpositionTest, FamiliesAreSortedByName) {
  Metrics metrics;
  std::istringstream in(metrics.render());
  std::string line;
  std::string previous;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) != 0) continue;
    const std::string name = line.substr(7, line.find(' ', 7) - 7);
    EXPECT_LT(previous, name);
    previous = name;
  }
}

}  // namespace
}  // namespace irsa::server
