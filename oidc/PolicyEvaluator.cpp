#include "oidc/PolicyEvaluator.hpp"

#include <algorithm>
#include <limits>

#include "oidc/PolicyJson.hpp"
#include "webhook/Json.hpp"

namespace irsa::oidc {
namespace {

// How far an Allow statement is from applying: a wrong principal or action
// outweighs any number of failed conditions.
constexpr int kElementDistance = 1000;

struct StatementResult {
  bool applies{false};
  int distance{0};
  std::vector<std::string> failures;
  std::vector<std::string> warnings;
};

std::string statementLabel(const rapidjson::Value& statement, std::size_t index) {
  std::string label = "statement " + std::to_string(index + 1);
  if (const std::string_view sid = webhook::stringMember(statement, "Sid"); !sid.empty()) {
    label += " (" + std::string(sid) + ")";
  }
  return label;
}

std::string joined(const std::vector<std::string_view>& values) {
  std::string out;
  for (std::string_view v : values)
    out += (out.empty() ? "" : ", ") + std::string(v);
  return values.size() == 1 ? out : "[" + out + "]";
}

// Empty when the principal is the request's; else what it is instead.
std::string principalMismatch(const rapidjson::Value& statement, const std::string& providerArn) {
  const rapidjson::Value* principal = webhook::member(statement, "Principal");
  if (principal == nullptr) return "statement has no Principal";
  if (principal->IsString()) {
    return webhook::view(*principal) == "*"
               ? std::string()
               : "Principal is " + std::string(webhook::view(*principal)) + " not Federated " + providerArn;
  }
  const auto aws = stringsOf(webhook::member(*principal, "AWS"));
  if (std::find(aws.begin(), aws.end(), "*") != aws.end()) return {};
  const auto federated = stringsOf(webhook::member(*principal, "Federated"));
  if (std::find(federated.begin(), federated.end(), providerArn) != federated.end()) return {};
  if (federated.empty())
    return "Principal has no Federated entry (the token's provider is " + providerArn + ")";
  return "Principal.Federated is " + joined(federated) + " not " + providerArn;
}

bool anyMatches(const std::vector<std::string_view>& patterns, std::string_view action) {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](std::string_view p) { return wildcardMatch(p, action, true); });
}

// Empty when Action (or NotAction) lets the web-identity action through.
std::string actionMismatch(const rapidjson::Value& statement) {
  if (const rapidjson::Value* action = webhook::member(statement, "Action")) {
    return anyMatches(stringsOf(action), kWebIdentityAction)
               ? std::string()
               : "Action does not include " + std::string(kWebIdentityAction);
  }
  if (const rapidjson::Value* notAction = webhook::member(statement, "NotAction")) {
    return anyMatches(stringsOf(notAction), kWebIdentityAction)
               ? "NotAction excludes " + std::string(kWebIdentityAction)
               : std::string();
  }
  return "statement has no Action";
}

StatementResult evaluateStatement(const rapidjson::Value& statement, const WebIdentityRequest& request) {
  StatementResult result;
  for (std::string failure : {principalMismatch(statement, request.providerArn), actionMismatch(statement)}) {
    if (failure.empty()) continue;
    result.failures.push_back(std::move(failure));
    result.distance += kElementDistance;
  }
  const bool principalAndAction = result.failures.empty();
  if (const rapidjson::Value* condition = webhook::member(statement, "Condition")) {
    if (!condition->IsObject()) {
      result.failures.emplace_back("Condition is not an object");
      ++result.distance;
    } else {
      for (const auto& op : condition->GetObject()) {
        if (!op.value.IsObject()) {
          result.failures.push_back(std::string(webhook::view(op.name)) + " is not an object of keys");
          ++result.distance;
          continue;
        }
        for (const auto& key : op.value.GetObject()) {
          auto outcome =
              evaluateCondition(webhook::view(op.name), webhook::view(key.name), key.value, request.keys);
          if (!outcome.passed) {
            result.failures.push_back(std::move(outcome.reason));
            ++result.distance;
          }
          if (!outcome.warning.empty() && principalAndAction)
            result.warnings.push_back(std::move(outcome.warning));
        }
      }
    }
  }
  result.applies = result.failures.empty();
  return result;
}

Evaluation decided(Decision decision, std::string reason, std::vector<std::string> warnings) {
  return {decision, {std::move(reason)}, std::move(warnings)};
}

}  // namespace

std::string_view decisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow:
      return "Allow";
    case Decision::kImplicitDeny:
      return "ImplicitDeny";
    case Decision::kExplicitDeny:
      return "ExplicitDeny";
  }
  return "?";
}

WebIdentityRequest webIdentityRequest(const ProviderArn& provider, std::string sub,
                                      std::vector<std::string> audiences, std::vector<std::string> amr) {
  WebIdentityRequest request{provider.text, {}};
  request.keys[conditionKey(provider, "sub")] = {std::move(sub)};
  if (!audiences.empty()) request.keys[conditionKey(provider, "aud")] = std::move(audiences);
  if (!amr.empty()) request.keys[conditionKey(provider, "amr")] = std::move(amr);
  return request;
}

util::Result<Evaluation> evaluateTrustPolicy(std::string_view policy, const WebIdentityRequest& request) {
  rapidjson::Document doc;
  if (auto status = parsePolicy(doc, policy); !status) return std::move(status).failure();
  const auto statements = statementsOf(doc);
  // IAM refuses NotPrincipal in a role trust policy (reference_policies_elements_notprincipal.html):
  // such a policy cannot be the role's, so nothing in it is evaluated.
  for (std::size_t i = 0; i < statements.size(); ++i) {
    if (webhook::member(*statements[i], "NotPrincipal") != nullptr) {
      return decided(Decision::kImplicitDeny,
                     statementLabel(*statements[i], i) +
                         " uses NotPrincipal, which IAM does not accept in a role trust policy (unsupported)",
                     {});
    }
  }
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, StatementResult>> allows;
  std::string allowedBy;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const rapidjson::Value& statement = *statements[i];
    const std::string label = statementLabel(statement, i);
    const std::string_view effect = webhook::stringMember(statement, "Effect");
    if (effect != "Allow" && effect != "Deny") {
      warnings.push_back(label + " is skipped: Effect must be Allow or Deny");
      continue;
    }
    StatementResult result = evaluateStatement(statement, request);
    for (auto& warning : result.warnings)
      warnings.push_back(label + ": " + std::move(warning));
    if (effect == "Deny") {
      // An explicit deny wins over any allow, so the first that applies decides.
      if (result.applies) return decided(Decision::kExplicitDeny, "denied by " + label, std::move(warnings));
      continue;
    }
    if (result.applies && allowedBy.empty()) allowedBy = label;
    allows.emplace_back(label, std::move(result));
  }
  if (!allowedBy.empty()) return decided(Decision::kAllow, "allowed by " + allowedBy, std::move(warnings));
  Evaluation evaluation{Decision::kImplicitDeny, {}, std::move(warnings)};
  if (allows.empty()) {
    evaluation.reasons.emplace_back("no statement has Effect Allow");
    return evaluation;
  }
  int closest = std::numeric_limits<int>::max();
  for (const auto& [label, result] : allows)
    closest = std::min(closest, result.distance);
  for (const auto& [label, result] : allows) {
    if (result.distance != closest) continue;
    for (const auto& failure : result.failures) {
      std::string line = label;
      line += ": ";
      line += failure;
      evaluation.reasons.push_back(std::move(line));
    }
  }
  return evaluation;
}

}  // namespace irsa::oidc
