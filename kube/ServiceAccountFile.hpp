#pragma once
// Reads ServiceAccounts from a YAML/JSON file (`serve --service-accounts`):
// what `kubectl get serviceaccounts -A -o yaml` prints, or hand-written
// manifests. Accepted documents: `ServiceAccount`, or a `List` /
// `ServiceAccountList` whose `items` are ServiceAccounts. Only annotations
// under `<annotationPrefix>/` are kept, as the cluster cache does.
//
// A ServiceAccount that appears twice (same namespace/name) keeps the later
// definition, at the position of the first, like applying the manifests in
// order. An empty file is valid and holds no ServiceAccounts.

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

#include "util/Result.hpp"
#include "webhook/ServiceAccount.hpp"

namespace irsa::kube {

class ServiceAccountFile {
 public:
  static util::Result<std::vector<webhook::ServiceAccount>> parse(std::string_view text,
                                                                  std::string_view annotationPrefix);

  // parse() of a file; errors name the file.
  static util::Result<std::vector<webhook::ServiceAccount>> load(const std::string& path,
                                                                 std::string_view annotationPrefix);

 private:
  static util::Result<std::vector<webhook::ServiceAccount>> fromDocuments(
      const std::vector<rapidjson::Document>& docs, std::string_view annotationPrefix);
};

}  // namespace irsa::kube
