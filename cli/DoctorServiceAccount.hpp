#pragma once
// `doctor --service-account NS/NAME`: the token a pod of that ServiceAccount
// would get, asked of the TokenRequest API with the audience and lifetime
// the webhook would project (the ServiceAccount's annotations over the
// webhook's flags), and the role its annotation names.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/ClusterClient.hpp"
#include "util/Result.hpp"
#include "webhook/Settings.hpp"

namespace irsa::cli {

struct ServiceAccountToken {
  std::string token;  // never printed
  std::string audience;
  std::int64_t expirationSeconds{0};
  std::optional<std::string> roleArn;  // the role-arn annotation's role, if any
  std::vector<std::string> notes;      // what the webhook would warn about the annotations
};

struct ServiceAccountRef {
  std::string ns;
  std::string name;
};

// "NS/NAME", both valid object names; fails with why not.
util::Result<ServiceAccountRef> parseServiceAccountRef(std::string_view text);

// Fails, with a one-line reason, for a ServiceAccount that does not exist,
// an answer that is not one, and any API error (RBAC: get serviceaccounts,
// create serviceaccounts/token).
util::Result<ServiceAccountToken> serviceAccountToken(ClusterClient& cluster, const ServiceAccountRef& ref,
                                                      const webhook::MutationSettings& settings);

}  // namespace irsa::cli
