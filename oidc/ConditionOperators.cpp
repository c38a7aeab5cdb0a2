#include "oidc/ConditionOperators.hpp"

#include <algorithm>
#include <optional>

#include "oidc/PolicyJson.hpp"
#include "webhook/Json.hpp"

// Semantics, from the IAM User Guide:
// - reference_policies_elements_condition_operators.html: "If the key that you
//   specify in a policy condition is not present in the request context, the
//   values do not match and the condition is false. If the policy condition
//   requires that the key is not matched, such as StringNotLike or
//   ArnNotLike, and the right key is not present, the condition is true."
//   Except ...IfExists (an absent key passes) and Null (tests presence).
// - reference_policies_condition-single-vs-multi-valued-context-keys.html:
//   ForAllValues is true when every request value matches a policy value,
//   and also when the key is absent or empty; ForAnyValue needs one request
//   value to match, so an absent key is false.
namespace irsa::oidc {
namespace {

enum class SetOp { kNone, kAnyValue, kAllValues };
enum class Base { kEquals, kEqualsIgnoreCase, kLike, kNull };

struct Operator {
  SetOp set{SetOp::kNone};
  Base base{Base::kEquals};
  bool negated{false};
  bool ifExists{false};
};

std::optional<Operator> parseOperator(std::string_view op) {
  Operator parsed;
  if (op.starts_with("ForAnyValue:")) {
    parsed.set = SetOp::kAnyValue;
    op.remove_prefix(12);
  } else if (op.starts_with("ForAllValues:")) {
    parsed.set = SetOp::kAllValues;
    op.remove_prefix(13);
  }
  if (op.ends_with("IfExists")) {
    parsed.ifExists = true;
    op.remove_suffix(8);
  }
  struct Name {
    std::string_view name;
    Base base;
    bool negated;
  };
  static constexpr Name kNames[] = {
      {"StringEquals", Base::kEquals, false},
      {"StringNotEquals", Base::kEquals, true},
      {"StringEqualsIgnoreCase", Base::kEqualsIgnoreCase, false},
      {"StringNotEqualsIgnoreCase", Base::kEqualsIgnoreCase, true},
      {"StringLike", Base::kLike, false},
      {"StringNotLike", Base::kLike, true},
      {"Null", Base::kNull, false},
  };
  const auto* found =
      std::find_if(std::begin(kNames), std::end(kNames), [&](const Name& n) { return n.name == op; });
  if (found == std::end(kNames)) return std::nullopt;
  if (found->base == Base::kNull && (parsed.set != SetOp::kNone || parsed.ifExists)) return std::nullopt;
  parsed.base = found->base;
  parsed.negated = found->negated;
  return parsed;
}

// A condition's values as IAM compares them: strings, with booleans and
// numbers in their JSON spelling (IAM accepts `true` for "true").
std::optional<std::vector<std::string>> policyValues(const rapidjson::Value& values) {
  std::vector<std::string> out;
  const auto one = [&out](const rapidjson::Value& v) {
    if (v.IsString()) {
      out.emplace_back(webhook::view(v));
    } else if (v.IsBool() || v.IsNumber()) {
      out.push_back(webhook::toJson(v));
    } else {
      return false;
    }
    return true;
  };
  if (values.IsArray()) {
    for (const auto& v : values.GetArray()) {
      if (!one(v)) return std::nullopt;
    }
  } else if (!one(values)) {
    return std::nullopt;
  }
  return out;
}

const std::vector<std::string>* lookUp(const RequestKeys& request, std::string_view key) {
  for (const auto& [name, values] : request) {
    if (equalsIgnoreCase(name, key)) return values.empty() ? nullptr : &values;
  }
  return nullptr;
}

bool matches(Base base, std::string_view policyValue, std::string_view value) {
  switch (base) {
    case Base::kEquals:
      return policyValue == value;
    case Base::kEqualsIgnoreCase:
      return equalsIgnoreCase(policyValue, value);
    case Base::kLike:
      return wildcardMatch(policyValue, value, false);
    case Base::kNull:
      break;
  }
  return false;
}

// The first policy value `value` matches, if any.
const std::string* matchOf(Base base, const std::vector<std::string>& policy, std::string_view value) {
  auto it = std::find_if(policy.begin(), policy.end(),
                         [&](const std::string& p) { return matches(base, p, value); });
  return it == policy.end() ? nullptr : &*it;
}

template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out += ... += parts);
  return out;
}

std::string quoted(std::string_view s) {
  return "`" + std::string(s) + "`";
}

std::string listed(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values)
    out += (out.empty() ? "" : ", ") + quoted(v);
  return out;
}

// "sub" for `<issuer>:sub`: how reasons name the request's value.
std::string_view claimName(std::string_view key) {
  const std::size_t colon = key.rfind(':');
  return colon == std::string_view::npos ? key : key.substr(colon + 1);
}

ConditionOutcome failed(std::string reason) {
  return {false, std::move(reason), {}};
}

ConditionOutcome evaluateNull(const std::string& where, const std::vector<std::string>& policy,
                              bool present) {
  const bool wantAbsent = std::find(policy.begin(), policy.end(), "true") != policy.end();
  const bool wantPresent = std::find(policy.begin(), policy.end(), "false") != policy.end();
  if (!wantAbsent && !wantPresent) return failed(where + " takes true or false");
  if ((present && wantPresent) || (!present && wantAbsent)) return {true, {}, {}};
  return failed(present ? where + " is true but the key is present"
                        : where + " is false but the key is absent");
}

}  // namespace

bool wildcardMatch(std::string_view pattern, std::string_view text, bool ignoreCase) {
  const auto same = [ignoreCase](char p, char t) {
    return p == t || (ignoreCase && equalsIgnoreCase(std::string_view(&p, 1), std::string_view(&t, 1)));
  };
  // Greedy with one backtrack point: the last `*` seen.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || (pattern[p] != '*' && same(pattern[p], text[t])))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

ConditionOutcome evaluateCondition(std::string_view op, std::string_view key, const rapidjson::Value& values,
                                   const RequestKeys& request) {
  const std::string where = std::string(op) + " " + quoted(key);
  const auto parsed = parseOperator(op);
  if (!parsed) {
    std::string reason = "unsupported condition operator " + std::string(op);
    return {false, reason, reason + " (IAM refuses the policy)"};
  }
  const auto policy = policyValues(values);
  if (!policy) return failed("the values of " + where + " must be strings, numbers or booleans");
  const std::vector<std::string>* present = lookUp(request, key);
  if (parsed->base == Base::kNull) return evaluateNull(where, *policy, present != nullptr);

  if (present == nullptr) {
    if (parsed->ifExists) return {true, {}, {}};
    if (parsed->set == SetOp::kAllValues) return {true, {}, where + " passes because the key is absent"};
    if (parsed->set == SetOp::kAnyValue) return failed(where + " fails because the key is absent");
    if (parsed->negated) return {true, {}, where + " passes because the key is absent"};
    return failed(where + " fails because the key is absent");
  }
  const std::string name(claimName(key));
  const auto& requestValues = *present;
  // The request value a negated operator trips on, with the policy value it matched.
  const auto firstMatched = [&]() -> std::string {
    for (const auto& v : requestValues) {
      if (const std::string* p = matchOf(parsed->base, *policy, v)) {
        return cat(name, " ", quoted(v), " matches ", quoted(*p), " of ", where);
      }
    }
    return {};
  };
  const auto noneMatch = [&](const std::vector<std::string>& vs) {
    return name + " " + listed(vs) + " matches no value of " + where;
  };
  const auto isMatch = [&](const std::string& v) { return matchOf(parsed->base, *policy, v) != nullptr; };
  switch (parsed->set) {
    case SetOp::kAllValues:
      for (const auto& v : requestValues) {
        if (isMatch(v) == parsed->negated) {
          return failed(parsed->negated ? cat(name, " ", quoted(v), " matches a value of ", where)
                                        : noneMatch({v}));
        }
      }
      return {true, {}, {}};
    case SetOp::kAnyValue:
      for (const auto& v : requestValues) {
        if (isMatch(v) != parsed->negated) return {true, {}, {}};
      }
      return failed(parsed->negated ? "every " + name + " value matches a value of " + where
                                    : noneMatch(requestValues));
    case SetOp::kNone:
      break;
  }
  // Without a set operator a key with several values matches when one does.
  const bool any = std::any_of(requestValues.begin(), requestValues.end(), isMatch);
  if (any == parsed->negated) return failed(parsed->negated ? firstMatched() : noneMatch(requestValues));
  return {true, {}, {}};
}

}  // namespace irsa::oidc
