#include "webhook/ConfigMapIdentities.hpp"

#include <algorithm>
#include <array>

#include "webhook/AnnotationValues.hpp"
#include "webhook/GoStrings.hpp"
#include "webhook/Json.hpp"

namespace irsa::webhook {
namespace {

enum class Field { kRoleArn, kAudience, kUseRegionalSts, kTokenExpiration };
constexpr std::array<std::pair<std::string_view, Field>, 4> kFields{{
    {"RoleARN", Field::kRoleArn},
    {"Audience", Field::kAudience},
    {"UseRegionalSTS", Field::kUseRegionalSts},
    {"TokenExpiration", Field::kTokenExpiration},
}};

// Decodes one entry the way encoding/json fills the reference's struct:
// keys match case-insensitively, a repeated key overwrites (document order),
// null leaves a field alone, unknown keys are ignored, and a value of the
// wrong type fails the whole document.
util::Result<ConfigMapEntry> decodeEntry(const std::string& key, const rapidjson::Value& object) {
  ConfigMapEntry entry;
  for (const auto& m : object.GetObject()) {
    const std::string_view name = view(m.name);
    const auto field = std::find_if(kFields.begin(), kFields.end(),
                                    [&](const auto& f) { return goJsonKeyMatches(name, f.first); });
    if (field == kFields.end() || m.value.IsNull()) continue;
    const auto wrongType = [&](const char* expected) {
      return util::fail("config: entry '" + key + "': " + std::string(name) + " must be " + expected);
    };
    switch (field->second) {
      case Field::kRoleArn:
        if (!m.value.IsString()) return wrongType("a string");
        entry.roleArn = std::string(view(m.value));
        break;
      case Field::kAudience:
        if (!m.value.IsString()) return wrongType("a string");
        entry.audience = std::string(view(m.value));
        break;
      case Field::kUseRegionalSts:
        if (!m.value.IsBool()) return wrongType("true or false");
        entry.useRegionalSts = m.value.GetBool();
        break;
      case Field::kTokenExpiration:
        // Go's int64 takes integer literals only: 3600.0, 1e3 and "3600" fail.
        if (!m.value.IsInt64()) return wrongType("an integer");
        entry.tokenExpiration = m.value.GetInt64();
        break;
    }
  }
  return entry;
}

}  // namespace

util::Result<ConfigMapIdentities> ConfigMapIdentities::parse(std::string_view configJson,
                                                             std::vector<std::string>& warnings) {
  ConfigMapIdentities out;
  rapidjson::Document doc;
  auto status = parseJson(doc, configJson, kDefaultMaxJsonDepth);
  if (!status) return status.failure().within("config");
  if (doc.IsNull()) return out;  // Go decodes `null` into an empty map
  if (!doc.IsObject()) return util::fail("config: expected a JSON object of \"namespace/name\" entries");
  for (const auto& m : doc.GetObject()) {
    const std::string key(view(m.name));
    if (m.value.IsNull()) {
      warnings.push_back("config entry '" + key + "': value is null");
      continue;
    }
    if (!m.value.IsObject()) return util::fail("config: entry '" + key + "': value must be an object");
    auto entry = decodeEntry(key, m.value);
    if (!entry) return entry.failure();
    const auto slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size() ||
        key.find('/', slash + 1) != std::string::npos) {
      warnings.push_back("config entry '" + key + "': key must be \"namespace/name\"");
      continue;
    }
    if (entry->roleArn.empty()) {
      warnings.push_back("config entry '" + key + "': RoleARN must be a non-empty string");
      continue;
    }
    if (entry->tokenExpiration > kMaxTokenExpiration) {
      // Kubernetes would refuse the pod: the flag's value is used instead.
      warnings.push_back("config entry '" + key + "': TokenExpiration " +
                         std::to_string(entry->tokenExpiration) + " is more than " +
                         std::to_string(kMaxTokenExpiration) +
                         " (2^32) seconds, the most Kubernetes accepts; using --token-expiration");
      entry->tokenExpiration = 0;
    }
    out.entries_.insert_or_assign(key, std::move(*entry));
  }
  return out;
}

const ConfigMapEntry* ConfigMapIdentities::find(std::string_view ns, std::string_view name) const {
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).push_back('/');
  key.append(name);
  if (auto it = entries_.find(key); it != entries_.end()) return &it->second;
  key.assign("*/").append(name);
  if (auto it = entries_.find(key); it != entries_.end()) return &it->second;
  return nullptr;
}

}  // namespace irsa::webhook
