#pragma once
// The `--watch-container-credentials-config` file:
// {"identities":[{"namespace":"ns","serviceAccount":"name"}, ...]}.
// ServiceAccounts listed here get EKS Pod Identity (container credentials).

#include <string>
#include <string_view>
#include <unordered_set>

#include "util/Result.hpp"

namespace irsa::webhook {

class ContainerCredentialsConfig {
 public:
  // An empty (or all-whitespace) file is valid and lists nobody. Keys match
  // case-insensitively, as encoding/json matches the reference's fields.
  // Unlike the reference, an entry without both names fails the file rather
  // than adding a key no pod can match.
  static util::Result<ContainerCredentialsConfig> parse(std::string_view json);

  bool contains(std::string_view ns, std::string_view name) const;
  std::size_t size() const { return keys_.size(); }

 private:
  std::unordered_set<std::string> keys_;  // "namespace/name"
};

}  // namespace irsa::webhook
