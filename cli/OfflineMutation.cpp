#include "cli/OfflineMutation.hpp"

#include "util/Files.hpp"
#include "webhook/AdmissionReview.hpp"
#include "webhook/IdentityInputs.hpp"
#include "webhook/Json.hpp"
#include "yaml/YamlJson.hpp"

namespace irsa::cli {

util::Result<rapidjson::Document> loadPod(const std::string& path) {
  auto docs = yaml::YamlJson::readFile(path);
  if (!docs) return docs.failure();
  if (docs->size() != 1) {
    return util::fail(path + ": expected one Pod document, found " + std::to_string(docs->size()));
  }
  rapidjson::Document pod = std::move(docs->front());
  if (!pod.IsObject()) return util::fail(path + ": not a Kubernetes object");
  const std::string_view kind = webhook::stringMember(pod, "kind");
  if (kind != "Pod") {
    return util::fail(path + ": not a Pod (kind is \"" + std::string(kind) + "\")");
  }
  if (const rapidjson::Value* spec = webhook::member(pod, "spec"); spec && !spec->IsObject()) {
    return util::fail(path + ": spec is not an object");
  }
  return pod;
}

util::Result<webhook::ConfigMapIdentities> loadConfigMap(const std::string& path,
                                                         std::vector<std::string>& warnings) {
  auto docs = yaml::YamlJson::readFile(path);
  if (!docs) return docs.failure();
  if (docs->size() != 1) return util::fail(path + ": expected one ConfigMap document");
  const rapidjson::Value& cm = docs->front();
  if (webhook::stringMember(cm, "kind") != "ConfigMap") return util::fail(path + ": not a ConfigMap");
  auto parsed = webhook::configMapIdentitiesOf(cm, warnings);
  if (!parsed) return parsed.failure().within(path);
  return parsed;
}

std::string requestNamespace(const rapidjson::Value& pod, const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const rapidjson::Value* metadata = webhook::objectMember(pod, "metadata")) {
    const std::string_view ns = webhook::stringMember(*metadata, "namespace");
    if (!ns.empty()) return std::string(ns);
  }
  return "default";
}

OfflineResult mutateOffline(const OfflineInputs& in, const webhook::AdmissionPlanner& planner,
                            webhook::RandomSource& random) {
  OfflineResult out;
  if (in.operation != "CREATE") return out;
  const std::string_view saName = webhook::podServiceAccountName(in.pod);
  const webhook::ServiceAccount* serviceAccount = nullptr;
  // The last matching document wins, as when the server loads such a file.
  for (const auto& sa : in.serviceAccounts) {
    if (sa.ns() == in.ns && sa.name() == saName) serviceAccount = &sa;
  }
  out.serviceAccountFound = serviceAccount != nullptr;
  const webhook::IdentityInputs inputs{in.configMap ? &*in.configMap : nullptr,
                                       in.containerCredentials ? &*in.containerCredentials : nullptr};
  const auto sources = inputs.sourcesFor(in.ns, saName, serviceAccount);
  auto outcome = planner.plan(in.pod, sources, random);
  out.identity = std::move(outcome.identity);
  out.patch = std::move(outcome.patch);
  out.issues = std::move(outcome.issues);
  return out;
}

}  // namespace irsa::cli
