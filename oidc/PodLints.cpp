#include "oidc/PodLints.hpp"

#include <algorithm>
#include <string_view>

#include "webhook/Json.hpp"
#include "webhook/PodMutator.hpp"

namespace irsa::oidc {
namespace {

using rapidjson::Value;
using webhook::arrayMember;
using webhook::member;
using webhook::objectMember;
using webhook::stringMember;

constexpr std::string_view kTokenFileEnv = "AWS_WEB_IDENTITY_TOKEN_FILE";

// A securityContext's runAsUser, or -1 when it does not set one.
std::int64_t runAsUser(const Value* context) {
  if (context == nullptr) return -1;
  const Value* user = member(*context, "runAsUser");
  return user != nullptr && user->IsInt64() ? user->GetInt64() : -1;
}

bool runAsNonRoot(const Value* context) {
  if (context == nullptr) return false;
  const Value* flag = member(*context, "runAsNonRoot");
  return flag != nullptr && flag->IsBool() && flag->GetBool();
}

std::string_view envValue(const Value& container, std::string_view name) {
  if (const Value* env = arrayMember(container, "env")) {
    for (const auto& entry : env->GetArray()) {
      if (stringMember(entry, "name") == name) return stringMember(entry, "value");
    }
  }
  return {};
}

template <typename Fn>
void forEachContainer(const Value& spec, Fn&& fn) {
  for (const char* list : {"initContainers", "containers"}) {
    if (const Value* containers = arrayMember(spec, list)) {
      for (const auto& container : containers->GetArray())
        fn(container);
    }
  }
}

}  // namespace

std::vector<std::string> lintPod(const Value& pod, const std::vector<std::string>& stsVpcEndpointRegions) {
  std::vector<std::string> findings;
  const Value* spec = objectMember(pod, "spec");
  if (spec == nullptr) return {"the pod has no spec"};
  const Value* podContext = objectMember(*spec, "securityContext");
  const bool hasFsGroup = podContext != nullptr && member(*podContext, "fsGroup") != nullptr;
  const bool windows = webhook::podRunsOnWindows(*spec);

  forEachContainer(*spec, [&](const Value& container) {
    const std::string name(stringMember(container, "name"));
    const std::string_view tokenFile = envValue(container, kTokenFileEnv);
    if (tokenFile.empty()) return;  // not given an identity: nothing to read
    const Value* context = objectMember(container, "securityContext");
    const std::int64_t user = runAsUser(context) >= 0 ? runAsUser(context) : runAsUser(podContext);
    const bool nonRoot = user > 0 || (user < 0 && (runAsNonRoot(context) || runAsNonRoot(podContext)));
    if (!windows && nonRoot && !hasFsGroup) {
      findings.push_back("container " + name +
                         " runs as non-root without a pod fsGroup: the projected token " +
                         "file is readable by root only, so the SDK cannot read " + std::string(tokenFile) +
                         " (set spec.securityContext.fsGroup)");
    }
    if (windows && !tokenFile.starts_with("C:")) {
      findings.push_back("container " + name + " runs on Windows but " + std::string(kTokenFileEnv) + " is " +
                         std::string(tokenFile) +
                         ", not a C: path (was the pod mutated before its node selector?)");
    }
    const std::string_view region = !envValue(container, "AWS_REGION").empty()
                                        ? envValue(container, "AWS_REGION")
                                        : envValue(container, "AWS_DEFAULT_REGION");
    const bool endpointRegion = std::find(stsVpcEndpointRegions.begin(), stsVpcEndpointRegions.end(),
                                          region) != stsVpcEndpointRegions.end();
    if (endpointRegion && envValue(container, "AWS_STS_REGIONAL_ENDPOINTS") != "regional") {
      findings.push_back(
          "container " + name + " has no AWS_STS_REGIONAL_ENDPOINTS=regional in " + std::string(region) +
          ", where STS has a VPC endpoint: older SDKs call the global " +
          "endpoint instead, outside the VPC (set --sts-regional-endpoint on the webhook, or the " +
          "ServiceAccount's sts-regional-endpoints annotation)");
    }
  });
  return findings;
}

}  // namespace irsa::oidc
