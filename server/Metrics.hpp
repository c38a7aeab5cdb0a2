#pragma once
// Every series of /metrics, in one prometheus-cpp registry and serialized by
// its TextSerializer (DESIGN.md "Metrics"): the reference webhook's names,
// types, labels and label values, so its dashboards and alerts keep working,
// the process_* series its Go client adds, and our own under `irsa_webhook_`.
// Stats are members, created once; the request path never looks one up by
// name nor takes a lock for a counter.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <boost/beast/http/verb.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/CallbackMetrics.hpp"
#include "server/LazySeries.hpp"
#include "server/ProcessMetrics.hpp"
#include "server/RequestMetrics.hpp"
#include "util/Result.hpp"
#include "webhook/AnnotationValues.hpp"
#include "webhook/ResolvedIdentity.hpp"

namespace irsa::server {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Before serving: the routes whose requests are counted by route (others
  // are "other"); `reference`: also in the reference's http_request_* series.
  void addRoute(ListenerKind listener, std::string path, bool reference) {
    requests_.addRoute(listener, std::move(path), reference);
  }
  // One answered request (after its answer is written).
  void observeRequest(ListenerKind listener, boost::beast::http::verb verb, std::string_view path, int code,
                      double micros);
  // irsa_webhook_admission_duration_seconds: /mutate requests only, in
  // buckets fine enough for a sub-millisecond service.
  void observeAdmission(double micros) { admission_.Observe(micros / 1e6); }

  // pod_identity_webhook_pod_count{method}: a pod that got an identity,
  // whether or not its patch is empty (it may carry one already).
  void podMutated(webhook::IdentityMode mode);
  // pod_identity_webhook_missing_sa_count: a pod whose ServiceAccount was in
  // neither the cache nor the ConfigMap (after any wait).
  void missingServiceAccount();
  // pod_identity_webhook_used: 1 once the identity cache has held a
  // ServiceAccount. Also latched at scrape time by usedWhen().
  void markUsed() { used_.Set(1); }
  void usedWhen(std::function<bool()> probe) { usedProbe_ = std::move(probe); }

  // irsa_webhook_annotation_invalid_total{annotation,object}: an annotation
  // value an admission found against its rule (webhook/AnnotationValues.hpp).
  void annotationInvalid(webhook::AnnotationIssue::Field field);

  void connectionRejected() { connectionsRejected_.Increment(); }
  void connectionEvicted() { connectionsEvicted_.Increment(); }
  void handshakeFailed() { handshakeErrors_.Increment(); }

  // A gauge read at scrape time (cache size, certificate expiry, …).
  // `labels` is the inside of {…}, e.g. `version="1.0"`, or empty. Fails on
  // an invalid name or label text, or a name taken with another type.
  util::Status addGauge(std::string name, std::string help, std::function<double()> read,
                        const std::string& labels = {});
  // A counter kept elsewhere (e.g. by the ServiceAccount cache), read at scrape time.
  util::Status addCounter(std::string name, std::string help, std::function<double()> read,
                          const std::string& labels = {});

  // The text exposition (format 0.0.4), families sorted by name.
  std::string render() const;

 private:
  prometheus::Registry registry_;
  RequestMetrics requests_;
  prometheus::Histogram& admission_;
  prometheus::Family<prometheus::Counter>& podCount_;
  LazySeries<prometheus::Counter> podCountWebIdentity_;
  LazySeries<prometheus::Counter> podCountContainerCredentials_;
  prometheus::Family<prometheus::Counter>& missingSa_;
  LazySeries<prometheus::Counter> missingSaSeries_;
  prometheus::Family<prometheus::Counter>& annotationInvalid_;
  std::array<LazySeries<prometheus::Counter>, webhook::AnnotationIssue::kFieldCount> annotationInvalidSeries_;
  prometheus::Gauge& used_;
  std::function<bool()> usedProbe_;  // set before serving
  prometheus::Counter& connectionsRejected_;
  prometheus::Counter& connectionsEvicted_;
  prometheus::Counter& handshakeErrors_;
  CallbackMetrics callbacks_;
  ProcessMetrics process_;
};

// The reference's `method` label of pod_identity_webhook_pod_count.
const char* podCountMethod(webhook::IdentityMode mode);

}  // namespace irsa::server
