#pragma once
// Request series, per route of each listener:
// - irsa_webhook_http_requests_total{listener,path,code}: every answered
//   request on both ports (probes, scrapes, 404s included);
// - the reference's http_request_count{verb,path,code},
//   http_request_latencies{verb,path} (histogram, µs) and
//   http_request_duration_microseconds{verb,path} (summary, µs), for the
//   routes the reference instruments only (/mutate and its debugging
//   handlers), so its dashboards see the same requests.
// Routes are added before serving starts; observe() then only reads.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <boost/beast/http/verb.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/CounterTable.hpp"
#include "server/LazySeries.hpp"
#include "server/SummaryFamily.hpp"

namespace irsa::server {

enum class ListenerKind { kWebhook, kMetrics };

class RequestMetrics {
 public:
  explicit RequestMetrics(prometheus::Registry& registry);

  // `reference`: also counted in the reference's http_request_* series.
  void addRoute(ListenerKind listener, std::string path, bool reference);

  // One answered request; `path` is the route, or anything else for
  // requests that matched none ("other").
  // http_request_duration_microseconds, which is not in the registry.
  const prometheus::Collectable& summaries() const { return requestDurations_; }

  void observe(ListenerKind listener, boost::beast::http::verb verb, std::string_view path, int code,
               double micros);

 private:
  static constexpr std::size_t kVerbs = static_cast<std::size_t>(boost::beast::http::verb::unlink) + 1;
  struct Route {
    Route(RequestMetrics& metrics, std::string_view listener, std::string path, bool reference);
    const std::string listener;
    const std::string path;
    const bool reference;
    CounterTable requests;        // key: code
    CounterTable referenceCount;  // key: verb << 16 | code
    std::array<LazySeries<prometheus::Histogram>, kVerbs> latencies;
    std::array<std::atomic<SummaryFamily::Series*>, kVerbs> durations{};
  };
  Route& find(ListenerKind listener, std::string_view path);

  prometheus::Family<prometheus::Counter>& requestsTotal_;
  prometheus::Family<prometheus::Counter>& requestCount_;
  prometheus::Family<prometheus::Histogram>& requestLatencies_;
  SummaryFamily requestDurations_;
  std::array<std::vector<std::unique_ptr<Route>>, 2> routes_;  // by ListenerKind; [0] is "other"
};

// The reference's verb label: the method as sent (upper case); methods that
// HTTP does not define share "other", so scanners cannot add series.
std::string verbLabel(boost::beast::http::verb verb);

}  // namespace irsa::server
