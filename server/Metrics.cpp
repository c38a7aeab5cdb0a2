#include "server/Metrics.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace irsa::server {
namespace {

// The reference's buckets: 125 ms to 8 s, in microseconds.
constexpr double kLatencyBuckets[] = {125000, 250000, 500000, 1e6, 2e6, 4e6, 8e6};
constexpr std::size_t kBucketCount = sizeof(kLatencyBuckets) / sizeof(kLatencyBuckets[0]);

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.15g", v);  // 15 digits: 5e-05, not 5.0000000000000002e-05
  return buf;
}

std::string escapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

Metrics::Metrics() = default;

void Metrics::observeRequest(std::string_view verb, std::string_view path, int code, double micros) {
  std::lock_guard lock(mutex_);
  auto& series = requests_[{std::string(verb), std::string(path)}];
  if (series.buckets.empty()) series.buckets.assign(kBucketCount, 0);
  ++series.codes[code];
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (micros <= kLatencyBuckets[i]) ++series.buckets[i];
  }
  series.sum += micros;
  ++series.count;
}

void Metrics::observeAdmission(double micros) {
  std::size_t i = 0;
  while (i + 1 < kAdmissionBuckets && micros > kAdmissionBucketsMicros[i]) ++i;
  admissionBuckets_[i].fetch_add(1, std::memory_order_relaxed);
  admissionNanosSum_.fetch_add(static_cast<std::uint64_t>(micros * 1000), std::memory_order_relaxed);
}

void Metrics::podMutated(std::string_view method) {
  used_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  ++podCount_[std::string(method)];
}

void Metrics::addGauge(std::string name, std::string help, std::function<double()> read, std::string labels) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(read), std::move(labels), "gauge"});
}

void Metrics::addCounter(std::string name, std::string help, std::function<double()> read, std::string labels) {
  std::lock_guard lock(mutex_);
  gauges_.push_back(Gauge{std::move(name), std::move(help), std::move(read), std::move(labels), "counter"});
}

std::string Metrics::render() const {
  std::ostringstream out;
  std::lock_guard lock(mutex_);

  out << "# HELP http_request_count Counter of requests broken out for each verb, path, and response code.\n"
      << "# TYPE http_request_count counter\n";
  for (const auto& [key, s] : requests_) {
    for (const auto& [code, n] : s.codes) {
      out << "http_request_count{code=\"" << code << "\",path=\"" << escapeLabel(key.second) << "\",verb=\""
          << escapeLabel(key.first) << "\"} " << n << "\n";
    }
  }
  out << "# HELP http_request_latencies Response latency distribution in microseconds for each verb and path\n"
      << "# TYPE http_request_latencies histogram\n";
  for (const auto& [key, s] : requests_) {
    const std::string labels = "path=\"" + escapeLabel(key.second) + "\",verb=\"" + escapeLabel(key.first) + "\"";
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      out << "http_request_latencies_bucket{" << labels << ",le=\"" << number(kLatencyBuckets[i]) << "\"} "
          << s.buckets[i] << "\n";
    }
    out << "http_request_latencies_bucket{" << labels << ",le=\"+Inf\"} " << s.count << "\n"
        << "http_request_latencies_sum{" << labels << "} " << number(s.sum) << "\n"
        << "http_request_latencies_count{" << labels << "} " << s.count << "\n";
  }
  out << "# HELP http_request_duration_microseconds Response latency summary in microseconds for each verb and "
         "path.\n"
      << "# TYPE http_request_duration_microseconds summary\n";
  for (const auto& [key, s] : requests_) {
    const std::string labels = "path=\"" + escapeLabel(key.second) + "\",verb=\"" + escapeLabel(key.first) + "\"";
    out << "http_request_duration_microseconds_sum{" << labels << "} " << number(s.sum) << "\n"
        << "http_request_duration_microseconds_count{" << labels << "} " << s.count << "\n";
  }

  out << "# HELP irsa_webhook_admission_duration_seconds Time from a /mutate request's arrival to its answer "
         "written (http_request_latencies starts at 125 ms)\n"
      << "# TYPE irsa_webhook_admission_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kAdmissionBuckets; ++i) {
    cumulative += admissionBuckets_[i].load(std::memory_order_relaxed);
    const bool last = i + 1 == kAdmissionBuckets;
    out << "irsa_webhook_admission_duration_seconds_bucket{le=\""
        << (last ? std::string("+Inf") : number(kAdmissionBucketsMicros[i] / 1e6)) << "\"} " << cumulative << "\n";
  }
  out << "irsa_webhook_admission_duration_seconds_sum "
      << number(static_cast<double>(admissionNanosSum_.load(std::memory_order_relaxed)) / 1e9) << "\n"
      << "irsa_webhook_admission_duration_seconds_count " << cumulative << "\n";

  out << "# HELP pod_identity_webhook_pod_count Pods mutated, by credential method\n"
      << "# TYPE pod_identity_webhook_pod_count counter\n";
  for (const auto& [method, n] : podCount_) {
    out << "pod_identity_webhook_pod_count{method=\"" << escapeLabel(method) << "\"} " << n << "\n";
  }
  out << "# HELP pod_identity_webhook_missing_sa_count Pods whose ServiceAccount was not found in time\n"
      << "# TYPE pod_identity_webhook_missing_sa_count counter\n"
      << "pod_identity_webhook_missing_sa_count " << missingSa_.load(std::memory_order_relaxed) << "\n";
  out << "# HELP pod_identity_webhook_used Indicator to know pod identity webhook is used\n"
      << "# TYPE pod_identity_webhook_used gauge\n"
      << "pod_identity_webhook_used " << (used_.load(std::memory_order_relaxed) ? 1 : 0) << "\n";

  out << "# HELP irsa_webhook_connections_rejected_total Connections closed at accept because of --max-connections\n"
      << "# TYPE irsa_webhook_connections_rejected_total counter\n"
      << "irsa_webhook_connections_rejected_total " << connectionsRejected_.load(std::memory_order_relaxed)
      << "\n";
  out << "# HELP irsa_webhook_tls_handshake_errors_total Failed TLS handshakes\n"
      << "# TYPE irsa_webhook_tls_handshake_errors_total counter\n"
      << "irsa_webhook_tls_handshake_errors_total " << handshakeErrors_.load(std::memory_order_relaxed) << "\n";
  for (std::size_t i = 0; i < gauges_.size(); ++i) {
    const auto& g = gauges_[i];
    if (i == 0 || gauges_[i - 1].name != g.name) {
      out << "# HELP " << g.name << " " << g.help << "\n# TYPE " << g.name << " " << g.type << "\n";
    }
    out << g.name << (g.labels.empty() ? "" : "{" + g.labels + "}") << " " << number(g.read()) << "\n";
  }
  return out.str();
}

}  // namespace irsa::server
