// `irsa-webhook mutate`: what would the webhook do to this pod, offline.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <random>

#include "cli/Commands.hpp"
#include "cli/MutationFlags.hpp"
#include "cli/OfflineMutation.hpp"
#include "kube/ContainerCredentialsFile.hpp"
#include "kube/ServiceAccountFile.hpp"
#include "util/FlagSet.hpp"
#include "util/JsonWriter.hpp"
#include "util/LogFormat.hpp"
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

struct MutateFlags {
  std::string podFile;
  std::string serviceAccountFile;
  std::string configMapFile;
  std::string ns;
  std::string output{"patch"};
  MutationFlags mutation;
};

void addMutateFlags(util::FlagSet& flags, MutateFlags& parsed) {
  flags.addString("pod", &parsed.podFile, "Pod manifest (YAML or JSON) to mutate; required");
  flags.addString("service-account", &parsed.serviceAccountFile,
                  "ServiceAccount(s) (YAML or JSON); without it the pod's ServiceAccount is not found");
  flags.addString("config-map", &parsed.configMapFile,
                  "ConfigMap pod-identity-webhook (YAML or JSON), as --watch-config-map would read it");
  flags.addString("namespace", &parsed.ns, "request namespace (default: the pod's, else \"default\")");
  flags.addString("output", &parsed.output, "patch (RFC 6902 JSON Patch) or pod (the mutated pod)");
  addMutationFlags(flags, parsed.mutation);
}

util::Status validate(const MutateFlags& parsed) {
  if (parsed.podFile.empty()) return util::fail("--pod is required");
  if (parsed.output != "patch" && parsed.output != "pod") {
    return util::fail("--output must be \"patch\" or \"pod\"");
  }
  return validate(parsed.mutation);
}

// The pod and the identity inputs the flags name, read from their files;
// ConfigMap warnings go to stderr.
util::Result<OfflineInputs> loadInputs(const MutateFlags& parsed, const webhook::MutationSettings& settings) {
  auto pod = loadPod(parsed.podFile);
  if (!pod) return pod.failure();
  OfflineInputs in;
  in.pod = std::move(*pod);
  in.ns = requestNamespace(in.pod, parsed.ns);
  if (!parsed.serviceAccountFile.empty()) {
    auto sas = kube::ServiceAccountFile::load(parsed.serviceAccountFile, settings.annotationPrefix);
    if (!sas) return sas.failure();
    in.serviceAccounts = std::move(*sas);
  }
  if (!parsed.configMapFile.empty()) {
    std::vector<std::string> warnings;
    auto cm = loadConfigMap(parsed.configMapFile, warnings);
    if (!cm) return cm.failure();
    for (const auto& w : warnings)
      std::cerr << "irsa-webhook mutate: warning: " << w << "\n";
    in.configMap = std::move(*cm);
  }
  if (!parsed.mutation.containerCredentialsFile.empty()) {
    auto cc = kube::ContainerCredentialsFile::load(parsed.mutation.containerCredentialsFile);
    if (!cc) return cc.failure();
    in.containerCredentials = std::move(cc->identities);
  }
  return in;
}

// A message holding values from the inputs, on one line of the terminal:
// quoted as Go would when it has control characters (as the server's log).
std::string oneLine(const std::string& message) {
  const bool plain = std::none_of(message.begin(), message.end(),
                                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
  if (plain) return message;
  std::string quoted;
  util::appendGoQuoted(quoted, message);
  return quoted;
}

// --output pod: the patch applied to the pod, printed indented.
int printMutatedPod(rapidjson::Document& pod, const webhook::Patch& patch) {
  rapidjson::Document ops;
  ops.Parse(patch.toJson().c_str());
  if (auto status = webhook::applyJsonPatch(pod, ops); !status) {
    std::cerr << "irsa-webhook mutate: internal error applying the patch: " << status.error() << "\n";
    return kExitFailure;
  }
  util::JsonBuffer buffer;
  util::JsonPrettyWriter writer(buffer);
  writer.SetIndent(' ', 2);
  pod.Accept(writer);
  std::cout << buffer.GetString() << "\n";
  return kExitOk;
}

}  // namespace

int mutateCommand(const std::vector<std::string>& args) {
  MutateFlags parsed;
  util::FlagSet flags("mutate");
  addMutateFlags(flags, parsed);
  if (auto status = flags.parse(args); !status) return usageError(status.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (auto status = validate(parsed); !status) return usageError(status.error());
  const webhook::MutationSettings settings = effectiveSettings(parsed.mutation);
  auto in = loadInputs(parsed, settings);
  if (!in) return usageError(in.error());

  webhook::AdmissionPlanner planner(settings);
  SystemRandom random;
  auto result = mutateOffline(*in, planner, random);
  for (const auto& issue : result.issues)
    std::cerr << "irsa-webhook mutate: warning: " << oneLine(issue.message) << "\n";
  if (!parsed.serviceAccountFile.empty() && !result.serviceAccountFound) {
    std::cerr << "irsa-webhook mutate: note: no ServiceAccount " << in->ns << "/"
              << webhook::podServiceAccountName(in->pod) << " in " << parsed.serviceAccountFile << "\n";
  }
  if (parsed.output == "pod") return printMutatedPod(in->pod, result.patch);
  std::cout << result.patch.toJson() << "\n";
  return kExitOk;
}

}  // namespace irsa::cli
