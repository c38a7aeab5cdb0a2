#include "server/RequestMetrics.hpp"

#include <chrono>
#include <cmath>

namespace irsa::server {
namespace {

namespace http = boost::beast::http;

// The reference's latency buckets: 125 ms doubling to 8 s, in microseconds.
const prometheus::Histogram::BucketBoundaries& referenceBuckets() {
  static const prometheus::Histogram::BucketBoundaries bounds = [] {
    prometheus::Histogram::BucketBoundaries b;
    for (double bound = 125000; b.size() < 7; bound *= 2)
      b.push_back(bound);
    return b;
  }();
  return bounds;
}

const char* listenerName(ListenerKind listener) {
  return listener == ListenerKind::kWebhook ? "webhook" : "metrics";
}

}  // namespace

std::string verbLabel(http::verb verb) {
  if (verb == http::verb::unknown) return "other";
  return std::string(http::to_string(verb));
}

RequestMetrics::Route::Route(RequestMetrics& metrics, std::string_view listenerLabel, std::string routePath,
                             bool instrumented)
    : listener(listenerLabel),
      path(std::move(routePath)),
      reference(instrumented),
      requests(metrics.requestsTotal_),
      referenceCount(metrics.requestCount_) {}

RequestMetrics::RequestMetrics(prometheus::Registry& registry)
    : requestsTotal_(prometheus::BuildCounter()
                         .Name("irsa_webhook_http_requests_total")
                         .Help("Answered HTTP requests on both ports, by listener, route and status code")
                         .Register(registry)),
      requestCount_(
          prometheus::BuildCounter()
              .Name("http_request_count")
              .Help("Requests to /mutate (and the debugging handlers), by method, path and status code")
              .Register(registry)),
      requestLatencies_(prometheus::BuildHistogram()
                            .Name("http_request_latencies")
                            .Help("Latency of /mutate requests in microseconds, by method and path")
                            .Register(registry)),
      // The reference's summary has no quantiles (its one-hour window is then
      // unused): sum and count only.
      requestDurations_("http_request_duration_microseconds",
                        "Latency of /mutate requests in microseconds, by method and path (sum and count)") {
  for (ListenerKind l : {ListenerKind::kWebhook, ListenerKind::kMetrics}) {
    routes_[static_cast<std::size_t>(l)].push_back(
        std::make_unique<Route>(*this, listenerName(l), "other", false));
  }
}

void RequestMetrics::addRoute(ListenerKind listener, std::string path, bool reference) {
  auto& routes = routes_[static_cast<std::size_t>(listener)];
  for (auto& r : routes) {
    if (r->path == path) return;  // one route, several methods
  }
  routes.push_back(std::make_unique<Route>(*this, listenerName(listener), std::move(path), reference));
}

RequestMetrics::Route& RequestMetrics::find(ListenerKind listener, std::string_view path) {
  auto& routes = routes_[static_cast<std::size_t>(listener)];
  for (std::size_t i = 1; i < routes.size(); ++i) {
    if (routes[i]->path == path) return *routes[i];
  }
  return *routes[0];
}

void RequestMetrics::observe(ListenerKind listener, http::verb verb, std::string_view path, int code,
                             double micros) {
  if (code < 100 || code > 999) return;  // never written by this server
  Route& route = find(listener, path);
  const auto ucode = static_cast<std::uint32_t>(code);
  route.requests
      .get(ucode,
           [&] {
             return prometheus::Labels{
                 {"listener", route.listener}, {"path", route.path}, {"code", std::to_string(code)}};
           })
      .Increment();
  if (!route.reference) return;
  auto v = static_cast<std::size_t>(verb);
  if (v >= kVerbs) v = 0;
  const auto key = static_cast<std::uint32_t>(v << 16) | ucode;
  route.referenceCount
      .get(key,
           [&] {
             return prometheus::Labels{
                 {"verb", verbLabel(verb)}, {"path", route.path}, {"code", std::to_string(code)}};
           })
      .Increment();
  // Whole microseconds, as the reference measures.
  const double whole = std::floor(micros);
  const auto labels = [&] { return prometheus::Labels{{"verb", verbLabel(verb)}, {"path", route.path}}; };
  route.latencies[v].get(requestLatencies_, labels, referenceBuckets()).Observe(whole);
  SummaryFamily::Series* duration = route.durations[v].load(std::memory_order_acquire);
  if (duration == nullptr) {
    duration = &requestDurations_.Add(labels());  // same labels, same series: a race is harmless
    route.durations[v].store(duration, std::memory_order_release);
  }
  duration->Observe(whole);
}

}  // namespace irsa::server
