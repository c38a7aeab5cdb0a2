#include "webhook/ConfigMapIdentities.hpp"

#include "webhook/Json.hpp"

namespace irsa::webhook {

util::Result<ConfigMapIdentities> ConfigMapIdentities::parse(std::string_view configJson,
                                                             std::vector<std::string>& warnings) {
  ConfigMapIdentities out;
  rapidjson::Document doc;
  auto status = parseJson(doc, configJson, kDefaultMaxJsonDepth);
  if (!status) return util::fail("config: " + status.error());
  if (!doc.IsObject()) return util::fail("config: expected a JSON object of \"namespace/name\" entries");
  for (const auto& m : doc.GetObject()) {
    const std::string key(view(m.name));
    const auto slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size()) {
      warnings.push_back("config entry '" + key + "': key must be \"namespace/name\"");
      continue;
    }
    if (!m.value.IsObject()) {
      warnings.push_back("config entry '" + key + "': value must be an object");
      continue;
    }
    ConfigMapEntry entry;
    const rapidjson::Value* role = member(m.value, "RoleARN");
    if (!role || !role->IsString() || role->GetStringLength() == 0) {
      warnings.push_back("config entry '" + key + "': RoleARN must be a non-empty string");
      continue;
    }
    entry.roleArn = std::string(view(*role));
    if (const rapidjson::Value* aud = member(m.value, "Audience")) {
      if (!aud->IsString()) {
        warnings.push_back("config entry '" + key + "': Audience must be a string");
        continue;
      }
      entry.audience = std::string(view(*aud));
    }
    if (const rapidjson::Value* sts = member(m.value, "UseRegionalSTS")) {
      if (!sts->IsBool()) {
        warnings.push_back("config entry '" + key + "': UseRegionalSTS must be a boolean");
        continue;
      }
      entry.useRegionalSts = sts->GetBool();
    }
    if (const rapidjson::Value* exp = member(m.value, "TokenExpiration")) {
      if (!exp->IsInt64()) {
        warnings.push_back("config entry '" + key + "': TokenExpiration must be an integer");
        continue;
      }
      entry.tokenExpiration = exp->GetInt64();
    }
    out.entries_.insert_or_assign(key, std::move(entry));
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
