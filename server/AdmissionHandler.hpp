#pragma once
// POST /mutate: checks the media type, parses the AdmissionReview in place,
// looks the ServiceAccount up (asynchronously, bounded by the grace period
// and the request's own ?timeout=), plans the patch and answers.

#include <chrono>

#include "kube/ServiceAccountLookup.hpp"
#include "server/Http.hpp"
#include "server/IdentityConfig.hpp"
#include "server/Metrics.hpp"
#include "server/ServerConfig.hpp"
#include "webhook/AdmissionPlanner.hpp"

namespace irsa::server {

class AdmissionHandler {
 public:
  AdmissionHandler(const ServerConfig& config, kube::ServiceAccountLookup& serviceAccounts,
                   const IdentityConfig& identityConfig, Metrics& metrics);

  void handle(Request&& req, Responder respond);

  // How long a pod may wait for its ServiceAccount: the grace period, cut
  // so the answer still beats the apiserver's `?timeout=` (if given).
  std::chrono::milliseconds waitBudget(std::string_view target) const;

 private:
  struct Pending;
  void finish(Pending& pending, const kube::ServiceAccountLookup::Ptr& serviceAccount) const;

  const ServerConfig& config_;
  kube::ServiceAccountLookup& serviceAccounts_;
  const IdentityConfig& identityConfig_;
  Metrics& metrics_;
  webhook::AdmissionPlanner planner_;
};

// true for "application/json", with any parameters, in any case.
bool isJsonMediaType(std::string_view contentType);

// Go duration of the `timeout` query parameter, if present and valid.
std::optional<std::chrono::milliseconds> requestTimeout(std::string_view target);

}  // namespace irsa::server
