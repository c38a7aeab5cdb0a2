#pragma once
// The namespaces and ServiceAccounts a corpus refers to, and the ConfigMap
// pod-identity-webhook that maps some of them to roles. The same set backs
// serviceaccounts.yaml, cluster.yaml and every generated pod, so the webhook
// finds exactly the identities the corpus expects.

#include <string>
#include <utility>
#include <vector>

#include "bench/CorpusOptions.hpp"
#include "bench/DeterministicRandom.hpp"

namespace irsa::bench {

struct BenchServiceAccount {
  std::string ns;
  std::string name;
  PodKind kind;
  // eks.amazonaws.com/* annotations, in order; empty for plain and ConfigMap kinds.
  std::vector<std::pair<std::string, std::string>> annotations;
};

class CorpusIdentities {
 public:
  static inline const std::string kConfigMapName = "pod-identity-webhook";
  static inline const std::string kConfigMapNamespace = "eks";  // serve's --namespace default

  // The fixed set: 8 namespaces, each with 4 annotated, 2 plain and 2
  // ConfigMap-mapped ServiceAccounts (one by exact key, one by "*/name").
  static CorpusIdentities standard();

  const std::vector<std::string>& namespaces() const { return namespaces_; }
  const std::vector<BenchServiceAccount>& serviceAccounts() const { return serviceAccounts_; }
  // A uniformly chosen ServiceAccount of `kind`.
  const BenchServiceAccount& pick(PodKind kind, DeterministicRandom& random) const;
  // The ConfigMap's `config` value (pretty JSON).
  std::string configMapConfig() const;

 private:
  std::vector<std::string> namespaces_;
  std::vector<BenchServiceAccount> serviceAccounts_;
  std::vector<std::vector<std::size_t>> byKind_;  // indices into serviceAccounts_, per PodKind
};

}  // namespace irsa::bench
