// `irsa-webhook mutate`: what would the webhook do to this pod, offline.
#include <rapidjson/prettywriter.h>

#include <cstdio>
#include <iostream>
#include <random>

#include "cli/Commands.hpp"
#include "cli/MutationFlags.hpp"
#include "cli/OfflineMutation.hpp"
#include "kube/ContainerCredentialsFile.hpp"
#include "kube/ServiceAccountFile.hpp"
#include "util/FlagSet.hpp"
#include "webhook/AdmissionReview.hpp"
#include "webhook/JsonPatchApplier.hpp"

namespace irsa::cli {
namespace {

class SystemRandom : public webhook::RandomSource {
 public:
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) override {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(engine_);
  }

 private:
  std::mt19937_64 engine_{std::random_device{}()};
};

int usageError(const std::string& message) {
  std::cerr << "irsa-webhook mutate: " << message << "\n";
  return kExitUsage;
}

}  // namespace

int mutateCommand(const std::vector<std::string>& args) {
  std::string podFile, saFile, configMapFile, ns, output = "patch", ccFile;
  webhook::MutationSettings settings;
  util::FlagSet flags("mutate");
  flags.addString("pod", &podFile, "Pod manifest (YAML or JSON) to mutate; required");
  flags.addString("service-account", &saFile,
                  "ServiceAccount(s) (YAML or JSON); without it the pod's ServiceAccount is not found");
  flags.addString("config-map", &configMapFile,
                  "ConfigMap pod-identity-webhook (YAML or JSON), as --watch-config-map would read it");
  flags.addString("namespace", &ns, "request namespace (default: the pod's, else \"default\")");
  flags.addString("output", &output, "patch (RFC 6902 JSON Patch) or pod (the mutated pod)");
  addMutationFlags(flags, settings, ccFile);

  if (auto status = flags.parse(args); !status) return usageError(status.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (podFile.empty()) return usageError("--pod is required");
  if (output != "patch" && output != "pod") return usageError("--output must be \"patch\" or \"pod\"");
  if (auto status = validateMutationSettings(settings); !status) return usageError(status.error());

  auto pod = loadPod(podFile);
  if (!pod) return usageError(pod.error());
  OfflineInputs in;
  in.pod = std::move(*pod);
  in.ns = requestNamespace(in.pod, ns);
  if (!saFile.empty()) {
    auto sas = kube::ServiceAccountFile::load(saFile, settings.annotationPrefix);
    if (!sas) return usageError(sas.error());
    in.serviceAccounts = std::move(*sas);
  }
  if (!configMapFile.empty()) {
    std::vector<std::string> warnings;
    auto cm = loadConfigMap(configMapFile, warnings);
    if (!cm) return usageError(cm.error());
    for (const auto& w : warnings)
      std::cerr << "irsa-webhook mutate: warning: " << w << "\n";
    in.configMap = std::move(*cm);
  }
  if (!ccFile.empty()) {
    auto cc = kube::ContainerCredentialsFile::load(ccFile);
    if (!cc) return usageError(cc.error());
    in.containerCredentials = std::move(cc->identities);
  }

  webhook::AdmissionPlanner planner(settings);
  SystemRandom random;
  auto result = mutateOffline(in, planner, random);
  if (!saFile.empty() && !result.serviceAccountFound) {
    std::cerr << "irsa-webhook mutate: note: no ServiceAccount " << in.ns << "/"
              << webhook::podServiceAccountName(in.pod) << " in " << saFile << "\n";
  }

  if (output == "patch") {
    std::cout << result.patch.toJson() << "\n";
    return kExitOk;
  }
  rapidjson::Document ops;
  ops.Parse(result.patch.toJson().c_str());
  if (auto status = webhook::applyJsonPatch(in.pod, ops); !status) {
    std::cerr << "irsa-webhook mutate: internal error applying the patch: " << status.error() << "\n";
    return kExitFailure;
  }
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
  writer.SetIndent(' ', 2);
  in.pod.Accept(writer);
  std::cout << buffer.GetString() << "\n";
  return kExitOk;
}

}  // namespace irsa::cli
