#pragma once
// The part of a ServiceAccount that mutation needs: its key and the
// annotations under `--annotation-prefix`. Nothing else is kept, so a cache of
// 100k ServiceAccounts stays small.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irsa::webhook {

struct ServiceAccount {
  std::string ns;
  std::string name;
  // Full annotation keys (e.g. "eks.amazonaws.com/role-arn"), only those that
  // start with "<prefix>/".
  std::vector<std::pair<std::string, std::string>> annotations;

  const std::string* annotation(std::string_view key) const {
    for (const auto& [k, v] : annotations) {
      if (k == key) return &v;
    }
    return nullptr;
  }

  // "namespace/name", the cache key.
  std::string key() const { return ns + "/" + name; }
};

}  // namespace irsa::webhook
