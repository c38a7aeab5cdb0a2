#pragma once
// Writes a generated corpus to its directory:
//   requests.jsonl        one AdmissionReview per line
//   serviceaccounts.yaml  every ServiceAccount, for `serve --service-accounts`
//   configmap.yaml        ConfigMap pod-identity-webhook alone, for `mutate --config-map`
//   cluster.yaml          Namespaces, ServiceAccounts and the ConfigMap, for `kubectl apply`
//   corpus.json           what was generated (schema in bench/README.md)

#include <string>
#include <vector>

#include "bench/CorpusGenerator.hpp"
#include "bench/CorpusIdentities.hpp"
#include "bench/CorpusOptions.hpp"
#include "util/Result.hpp"

namespace irsa::bench {

inline constexpr const char* kRequestsFile = "requests.jsonl";
inline constexpr const char* kServiceAccountsFile = "serviceaccounts.yaml";
inline constexpr const char* kConfigMapFile = "configmap.yaml";
inline constexpr const char* kClusterFile = "cluster.yaml";
inline constexpr const char* kCorpusSummaryFile = "corpus.json";
inline constexpr int kCorpusSchemaVersion = 1;

class CorpusFiles {
 public:
  // Creates the directory if needed and (over)writes the five files.
  static util::Status write(const CorpusOptions& options, const CorpusIdentities& identities,
                            const std::vector<CorpusRequest>& requests);

  // The texts, separately for tests.
  static std::string serviceAccountsYaml(const CorpusIdentities& identities);
  static std::string configMapYaml(const CorpusIdentities& identities);
  static std::string clusterYaml(const CorpusIdentities& identities);
  static std::string summaryJson(const CorpusOptions& options, const CorpusIdentities& identities,
                                 const CorpusSummary& summary);
};

}  // namespace irsa::bench
