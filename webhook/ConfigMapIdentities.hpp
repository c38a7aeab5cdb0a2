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

  // Parses the `config` value as the reference's encoding/json does: field
  // names match case-insensitively ("roleArn"), and invalid JSON, a document
  // that is neither an object nor null, or a value of the wrong type
  // anywhere ("TokenExpiration":"3600") fails the whole document. Entries
  // the reference would crash on or never match (a null value, a key that is
  // not "namespace/name", no RoleARN) are skipped and described in `warnings`;
  // so is a TokenExpiration above 2^32, which then means the flag's value.
  static util::Result<ConfigMapIdentities> parse(std::string_view configJson,
                                                 std::vector<std::string>& warnings);

  // Exact "ns/name" first, then "*/name".
  const ConfigMapEntry* find(std::string_view ns, std::string_view name) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::unordered_map<std::string, ConfigMapEntry> entries_;
};

}  // namespace irsa::webhook
