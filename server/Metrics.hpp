#pragma once
// Prometheus metrics with the reference webhook's names (DESIGN.md
// "Metrics"), so existing dashboards keep working, plus our own under
// `irsa_webhook_`. Rendered in the text exposition format on --metrics-port.

#include <atomic>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::server {

class Metrics {
 public:
  Metrics();

  // http_request_count / http_request_latencies / http_request_duration_microseconds
  void observeRequest(std::string_view verb, std::string_view path, int code, double micros);
  // irsa_webhook_admission_duration_seconds: /mutate requests only, in
  // buckets fine enough for a sub-millisecond service (lock-free).
  void observeAdmission(double micros);
  // pod_identity_webhook_pod_count{method}
  void podMutated(std::string_view method);
  // pod_identity_webhook_missing_sa_count
  void missingServiceAccount() { missingSa_.fetch_add(1, std::memory_order_relaxed); }
  // pod_identity_webhook_used: set once the webhook has something to do.
  void markUsed() { used_.store(true, std::memory_order_relaxed); }

  void connectionRejected() { connectionsRejected_.fetch_add(1, std::memory_order_relaxed); }
  void handshakeFailed() { handshakeErrors_.fetch_add(1, std::memory_order_relaxed); }

  // A gauge read at scrape time (cache size, certificate expiry, …).
  // `labels` is the inside of {…}, e.g. `version="1.0"`, or empty. Series
  // of one name must be added one after the other.
  void addGauge(std::string name, std::string help, std::function<double()> read, std::string labels = {});
  // A counter kept elsewhere (e.g. by the ServiceAccount cache), read at scrape time.
  void addCounter(std::string name, std::string help, std::function<double()> read, std::string labels = {});

  std::string render() const;

 private:
  struct RequestSeries {
    std::map<int, std::uint64_t> codes;  // guarded by Metrics::mutex_
    std::vector<std::uint64_t> buckets;  // guarded by Metrics::mutex_
    double sum{0};                       // guarded by Metrics::mutex_
    std::uint64_t count{0};              // guarded by Metrics::mutex_
  };
  struct Gauge {
    std::string name;
    std::string help;
    std::function<double()> read;
    std::string labels;
    const char* type;
  };

  // Upper bounds in microseconds, then +Inf (the last counter).
  static constexpr double kAdmissionBucketsMicros[] = {50,    100,    250,    500,    1000,   2000,    5000,   10000,
                                                       25000, 50000,  100000, 250000, 500000, 1000000, 2500000, 10000000};
  static constexpr std::size_t kAdmissionBuckets = std::size(kAdmissionBucketsMicros) + 1;
  std::atomic<std::uint64_t> admissionBuckets_[kAdmissionBuckets]{};  // not cumulative
  std::atomic<std::uint64_t> admissionNanosSum_{0};

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, RequestSeries> requests_;  // guarded by mutex_
  std::map<std::string, std::uint64_t> podCount_;                          // guarded by mutex_
  std::vector<Gauge> gauges_;                                              // guarded by mutex_
  std::atomic<std::uint64_t> missingSa_{0};
  std::atomic<bool> used_{false};
  std::atomic<std::uint64_t> connectionsRejected_{0};
  std::atomic<std::uint64_t> handshakeErrors_{0};
};

}  // namespace irsa::server
