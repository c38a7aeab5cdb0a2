#pragma once
// GET /debug/alpha/cache (--enable-debugging-handlers): the identity cache as
// JSON, in the reference's shape: "namespace/name" -> {RoleARN, Audience,
// UseRegionalSTS, TokenExpiration}, resolved with the same rules as pods.

#include "kube/ServiceAccountLookup.hpp"
#include "server/Http.hpp"
#include "webhook/IdentityResolver.hpp"

namespace irsa::server {

class DebugHandler {
 public:
  DebugHandler(const webhook::MutationSettings& settings, const kube::ServiceAccountLookup& serviceAccounts)
      : resolver_(settings), serviceAccounts_(serviceAccounts) {}

  void handle(Request&& req, Responder respond) const;

 private:
  webhook::IdentityResolver resolver_;
  const kube::ServiceAccountLookup& serviceAccounts_;
};

}  // namespace irsa::server
