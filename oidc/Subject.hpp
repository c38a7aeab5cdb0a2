#pragma once
// The `sub` claim of a Kubernetes service-account token,
// `system:serviceaccount:<namespace>:<name>`, as a trust policy matches it:
// an exact subject (StringEquals) or an IAM wildcard pattern (StringLike)
// such as `team-*:*`.

#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::oidc {

inline constexpr std::string_view kServiceAccountSubjectPrefix = "system:serviceaccount:";

struct Subject {
  std::string namespaceName;   // a DNS-1123 label, or a pattern
  std::string serviceAccount;  // a DNS-1123 subdomain, or a pattern
  std::string text;            // system:serviceaccount:<namespace>:<name>
  // Has an IAM wildcard (`*` or `?`): belongs under StringLike.
  bool isPattern() const { return text.find_first_of("*?") != std::string::npos; }
};

// `NS:SA` or `system:serviceaccount:NS:SA`; anything else fails with a
// one-line reason.
util::Result<Subject> parseSubject(std::string_view text);

}  // namespace irsa::oidc
