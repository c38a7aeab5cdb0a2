#pragma once
// IAM's string condition operators and Null, with the IfExists suffix and the
// ForAnyValue: / ForAllValues: set prefixes, deciding one condition (one
// operator and one key with its values) against the request's keys.

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::oidc {

// The request context: condition keys and their values. A key that is not
// here, or has no value, is absent. Looked up ignoring ASCII case, as IAM
// treats condition keys.
using RequestKeys = std::map<std::string, std::vector<std::string>>;

struct ConditionOutcome {
  bool passed{false};
  std::string reason;   // why it failed
  std::string warning;  // a pass (or a refusal) the user should hear about
};

ConditionOutcome evaluateCondition(std::string_view op, std::string_view key, const rapidjson::Value& values,
                                   const RequestKeys& request);

// IAM's wildcard match: `*` any run of characters (also none), `?` one.
bool wildcardMatch(std::string_view pattern, std::string_view text, bool ignoreCase);

}  // namespace irsa::oidc
