#pragma once
// What trust-policy editing and evaluation share about IAM's policy JSON:
// parsing with the project's limits, the forms an element may take (a string
// or a list of them; one statement or a list of them), and the one output
// format (4-space indented, as the AWS console and CLI show policies).

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/Result.hpp"

namespace irsa::oidc {

inline constexpr std::string_view kWebIdentityAction = "sts:AssumeRoleWithWebIdentity";

// Parses a policy: a JSON object with a Statement (an object or an array).
util::Status parsePolicy(rapidjson::Document& doc, std::string_view text);

// The statement objects, in order (Statement may be one object or a list;
// entries that are not objects are skipped).
std::vector<rapidjson::Value*> statementsOf(rapidjson::Value& policy);

// A string element, or the strings of a list element; other types give none.
std::vector<std::string_view> stringsOf(const rapidjson::Value* value);

bool equalsIgnoreCase(std::string_view a, std::string_view b);

// The member whose name equals `name` ignoring ASCII case (IAM's condition
// keys are case-insensitive); MemberEnd() when there is none.
rapidjson::Value::MemberIterator findMemberIgnoreCase(rapidjson::Value& object, std::string_view name);

// 4-space indentation and a final newline.
std::string prettyPolicy(const rapidjson::Value& policy);

}  // namespace irsa::oidc
