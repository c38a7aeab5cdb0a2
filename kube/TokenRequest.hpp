#pragma once
// The TokenRequest API (authentication.k8s.io/v1): a POST to a
// ServiceAccount's `token` subresource returns a token signed by the
// apiserver's service-account issuer, with the audience and lifetime asked
// for. `doctor` uses it to get the token a pod of that ServiceAccount would
// get, without a pod. Pure: the caller sends and receives.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::kube {

// "/api/v1/namespaces/NS/serviceaccounts/NAME/token"; the names must be
// valid object names (isValidObjectName), so they need no escaping.
std::string tokenRequestTarget(std::string_view ns, std::string_view name);

// The TokenRequest object to POST: one audience, `expirationSeconds`.
std::string tokenRequestBody(std::string_view audience, std::int64_t expirationSeconds);

struct IssuedToken {
  std::string token;                // the JWT; never to be logged
  std::string expirationTimestamp;  // RFC 3339, as the apiserver wrote it
};

// The token of a TokenRequest answer (its `status`). Fails for a body that
// is not a TokenRequest or has no token.
util::Result<IssuedToken> parseTokenRequestResponse(std::string_view body);

}  // namespace irsa::kube
