#include "oidc/PolicyJson.hpp"

#include <algorithm>

#include "util/JsonWriter.hpp"
#include "webhook/Json.hpp"

namespace irsa::oidc {

util::Status parsePolicy(rapidjson::Document& doc, std::string_view text) {
  if (auto status = webhook::parseJson(doc, text, webhook::kDefaultMaxJsonDepth); !status) {
    return std::move(status).failure().within("trust policy");
  }
  if (!doc.IsObject()) return util::fail("the trust policy is not a JSON object");
  const rapidjson::Value* statement = webhook::member(doc, "Statement");
  if (statement == nullptr) return util::fail("the trust policy has no Statement");
  if (!statement->IsObject() && !statement->IsArray()) {
    return util::fail("the trust policy's Statement is neither an object nor a list");
  }
  return util::okStatus();
}

std::vector<rapidjson::Value*> statementsOf(rapidjson::Value& policy) {
  std::vector<rapidjson::Value*> out;
  auto it = policy.FindMember("Statement");
  if (it == policy.MemberEnd()) return out;
  if (it->value.IsObject()) {
    out.push_back(&it->value);
  } else if (it->value.IsArray()) {
    for (auto& statement : it->value.GetArray()) {
      if (statement.IsObject()) out.push_back(&statement);
    }
  }
  return out;
}

std::vector<std::string_view> stringsOf(const rapidjson::Value* value) {
  std::vector<std::string_view> out;
  if (value == nullptr) return out;
  if (value->IsString()) {
    out.push_back(webhook::view(*value));
  } else if (value->IsArray()) {
    for (const auto& item : value->GetArray()) {
      if (item.IsString()) out.push_back(webhook::view(item));
    }
  }
  return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

rapidjson::Value::MemberIterator findMemberIgnoreCase(rapidjson::Value& object, std::string_view name) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    if (equalsIgnoreCase(webhook::view(it->name), name)) return it;
  }
  return object.MemberEnd();
}

std::string prettyPolicy(const rapidjson::Value& policy) {
  util::JsonBuffer buffer;
  util::JsonPrettyWriter writer(buffer);
  writer.SetIndent(' ', 4);
  policy.Accept(writer);
  std::string text = buffer.str();
  text += '\n';
  return text;
}

}  // namespace irsa::oidc
