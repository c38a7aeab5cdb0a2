#include "server/Metrics.hpp"

#include <algorithm>
#include <sstream>

#include "server/GoTextSerializer.hpp"

namespace irsa::server {
namespace {

// Upper bounds in seconds, from 50 µs: http_request_latencies starts at 125 ms.
const prometheus::Histogram::BucketBoundaries kAdmissionBuckets{
    50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 10};

constexpr std::string_view kMutatePath = "/mutate";

}  // namespace

const char* podCountMethod(webhook::IdentityMode mode) {
  return mode == webhook::IdentityMode::kContainerCredentials ? "container_credentials" : "sts_web_identity";
}

Metrics::Metrics()
    : requests_(registry_),
      admission_(prometheus::BuildHistogram()
                     .Name("irsa_webhook_admission_duration_seconds")
                     .Help("Time from a /mutate request's arrival to its answer written, in seconds")
                     .Register(registry_)
                     .Add({}, kAdmissionBuckets)),
      podCount_(prometheus::BuildCounter()
                    .Name("pod_identity_webhook_pod_count")
                    .Help("Pods given an identity, by method (sts_web_identity or container_credentials)")
                    .Register(registry_)),
      missingSa_(prometheus::BuildCounter()
                     .Name("pod_identity_webhook_missing_sa_count")
                     .Help("Pods whose ServiceAccount was found neither in the cache nor in the ConfigMap")
                     .Register(registry_)),
      annotationInvalid_(prometheus::BuildCounter()
                             .Name("irsa_webhook_annotation_invalid_total")
                             .Help("Annotation values admissions found invalid, by annotation and object; "
                                   "role-arn is used all the same, the others are ignored")
                             .Register(registry_)),
      used_(prometheus::BuildGauge()
                .Name("pod_identity_webhook_used")
                .Help("1 once the identity cache has held a ServiceAccount")
                .Register(registry_)
                .Add({})),
      connectionsRejected_(prometheus::BuildCounter()
                               .Name("irsa_webhook_connections_rejected_total")
                               .Help("Connections closed at accept because of --max-connections: every "
                                     "slot held by a connection that has begun a request")
                               .Register(registry_)
                               .Add({})),
      connectionsEvicted_(prometheus::BuildCounter()
                              .Name("irsa_webhook_connections_evicted_total")
                              .Help("Connections closed at --max-connections to make room for a new one: "
                                    "the oldest that had not begun a request")
                              .Register(registry_)
                              .Add({})),
      handshakeErrors_(prometheus::BuildCounter()
                           .Name("irsa_webhook_tls_handshake_errors_total")
                           .Help("Failed TLS handshakes")
                           .Register(registry_)
                           .Add({})) {}

void Metrics::observeRequest(ListenerKind listener, boost::beast::http::verb verb, std::string_view path,
                             int code, double micros) {
  requests_.observe(listener, verb, path, code, micros);
  if (listener == ListenerKind::kWebhook && path == kMutatePath) observeAdmission(micros);
}

void Metrics::podMutated(webhook::IdentityMode mode) {
  auto& series = mode == webhook::IdentityMode::kContainerCredentials ? podCountContainerCredentials_
                                                                      : podCountWebIdentity_;
  series.get(podCount_, [mode] { return prometheus::Labels{{"method", podCountMethod(mode)}}; }).Increment();
}

void Metrics::missingServiceAccount() {
  missingSaSeries_.get(missingSa_, [] { return prometheus::Labels{}; }).Increment();
}

void Metrics::annotationInvalid(webhook::AnnotationIssue::Field field) {
  annotationInvalidSeries_[static_cast<std::size_t>(field)]
      .get(annotationInvalid_,
           [field] {
             return prometheus::Labels{{"annotation", std::string(webhook::annotationName(field))},
                                       {"object", std::string(webhook::annotatedObject(field))}};
           })
      .Increment();
}

util::Status Metrics::addGauge(std::string name, std::string help, std::function<double()> read,
                               const std::string& labels) {
  return callbacks_.add(std::move(name), std::move(help), prometheus::MetricType::Gauge, std::move(read),
                        labels);
}

util::Status Metrics::addCounter(std::string name, std::string help, std::function<double()> read,
                                 const std::string& labels) {
  return callbacks_.add(std::move(name), std::move(help), prometheus::MetricType::Counter, std::move(read),
                        labels);
}

std::string Metrics::render() const {
  if (usedProbe_ && usedProbe_()) used_.Set(1);  // never back to 0, like the reference's
  std::vector<prometheus::MetricFamily> families = registry_.Collect();
  for (const prometheus::Collectable* c :
       {&requests_.summaries(), static_cast<const prometheus::Collectable*>(&callbacks_),
        static_cast<const prometheus::Collectable*>(&process_)}) {
    auto more = c->Collect();
    std::move(more.begin(), more.end(), std::back_inserter(families));
  }
  // Sorted by name, as the Go client writes them: diffs against the
  // reference's scrape line up.
  std::stable_sort(families.begin(), families.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& f : families) {
    std::sort(f.metric.begin(), f.metric.end(),
              [](const auto& a, const auto& b) { return a.label < b.label; });
  }
  std::ostringstream out;
  GoTextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace irsa::server
