#pragma once
// The `--watch-config-map` source: ConfigMap `pod-identity-webhook`, key
// `config`, a JSON object of "namespace/name" -> {RoleARN, Audience,
// UseRegionalSTS, TokenExpiration}. "*/name" matches any namespace.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/Result.hpp"

namespace irsa::webhook {

struct ConfigMapEntry {
  std::string roleArn;
  std::string audience;  // empty: use --token-audience
  bool useRegionalSts{false};
  std::int64_t tokenExpiration{0};  // 0: use --token-expiration
};

class ConfigMapIdentities {
 public:
  struct Parsed;

  // Parses the `config` value. Entries that fail to parse are skipped and
  // described in `warnings`; only a document that is not a JSON object fails.
  static util::Result<ConfigMapIdentities> parse(std::string_view configJson, std::vector<std::string>& warnings);

  // Exact "ns/name" first, then "*/name".
  const ConfigMapEntry* find(std::string_view ns, std::string_view name) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, ConfigMapEntry> entries_;
};

}  // namespace irsa::webhook
