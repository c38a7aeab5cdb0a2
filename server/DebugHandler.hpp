#pragma once
// --enable-debugging-handlers, where the reference serves them:
// - metrics port: /debug/alpha/cache, the identity cache as JSON in the
//   reference's shape ("namespace/name" -> {RoleARN, Audience,
//   UseRegionalSTS, TokenExpiration}, resolved with the same rules as pods),
//   and /debug/alpha/cache/clear, which drops the cached ServiceAccounts and
//   fetches them again;
// - webhook port: /debug/alpha/deny, an AdmissionReview that denies, and
//   /debug/alpha/500, an internal error, to try the apiserver's
//   failurePolicy. Both are counted in http_request_count like /mutate.
// Any method, as in the reference.

#include "kube/ServiceAccountLookup.hpp"
#include "server/Http.hpp"
#include "webhook/IdentityResolver.hpp"

namespace irsa::server {

class DebugHandler {
 public:
  DebugHandler(const webhook::MutationSettings& settings, kube::ServiceAccountLookup& serviceAccounts)
      : resolver_(settings), serviceAccounts_(serviceAccounts) {}

  void cache(Request&& req, const Responder& respond) const;
  void clear(Request&& req, const Responder& respond);
  static void deny(Request&& req, const Responder& respond);
  static void internalError(Request&& req, const Responder& respond);

 private:
  webhook::IdentityResolver resolver_;
  kube::ServiceAccountLookup& serviceAccounts_;
};

}  // namespace irsa::server
