#include "webhook/PodMutator.hpp"

#include <algorithm>
#include <unordered_set>
#include <utility>
#include <vector>

#include "webhook/AwsEnvironment.hpp"
#include "webhook/GoStrings.hpp"
#include "webhook/IdentityResolver.hpp"
#include "webhook/Json.hpp"

namespace irsa::webhook {
namespace {

using rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

// The defined sets (DESIGN.md "Per container"): any one name present counts.
constexpr std::string_view kIdentityEnvWeb[] = {kEnvRoleArn, kEnvWebIdentityTokenFile};
constexpr std::string_view kIdentityEnvContainer[] = {kEnvContainerCredentialsFullUri,
                                                      kEnvContainerAuthorizationTokenFile};
constexpr std::string_view kRegionEnv[] = {kEnvRegion, kEnvDefaultRegion};

// Every string the patch holds is made here. One that is not valid UTF-8
// (a ServiceAccount file or a flag may hold any bytes; the AdmissionReview
// is validated when parsed) is coerced as Go's encoding/json does, so the
// patch is always valid JSON text.
Value str(std::string_view s, Allocator& a) {
  const bool ascii =
      std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
  const std::string valid = goCoerceToValidUtf8(s);
  return Value(valid.data(), static_cast<rapidjson::SizeType>(valid.size()), a);
}

Value envVar(std::string_view name, std::string_view value, Allocator& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("name", str(name, a), a);
  v.AddMember("value", str(value, a), a);
  return v;
}

bool hasNamedEntry(const Value* list, std::string_view name) {
  if (!list) return false;
  for (const auto& item : list->GetArray()) {
    if (stringMember(item, "name") == name) return true;
  }
  return false;
}

}  // namespace

bool podRunsOnWindows(const Value& spec) {
  if (const Value* selector = objectMember(spec, "nodeSelector")) {
    if (stringMember(*selector, "kubernetes.io/os") == "windows") return true;
    if (stringMember(*selector, "beta.kubernetes.io/os") == "windows") return true;
  }
  // An addition over the reference: spec.os is the newer way to say it.
  if (const Value* os = objectMember(spec, "os")) return stringMember(*os, "name") == "windows";
  return false;
}

struct PodMutator::Plan {
  IdentityMode mode;
  const ResolvedIdentity* identity;
  std::string_view volumeName;
  std::string_view mountPath;
  std::string tokenFile;
  std::int64_t expiration;
  std::string_view audience;
  std::string_view tokenPath;
  std::unordered_set<std::string> skip;
};

PodMutator::PodMutator(const MutationSettings& settings)
    : settings_(settings), keys_(settings.annotationPrefix) {}

std::int64_t PodMutator::tokenExpiration(const Value* annotations, const ResolvedIdentity& identity,
                                         RandomSource& random, AnnotationIssues* issues) const {
  std::int64_t expiration = identity.tokenExpiration;
  if (annotations) {
    if (const Value* v = member(*annotations, keys_.tokenExpiration()); v && v->IsString()) {
      auto parsed = parseTokenExpiration(view(*v));
      if (parsed.seconds) {
        expiration = *parsed.seconds;
      } else if (issues) {
        issues->push_back(
            {AnnotationIssue::Field::kPodTokenExpiration, tokenExpirationMessage(expiration, parsed.error)});
      }
    }
  }
  if (identity.mode == IdentityMode::kContainerCredentials && expiration == kDefaultTokenExpiration) {
    expiration = random.uniform(kJitteredTokenExpirationMin, kDefaultTokenExpiration);
  }
  return expiration;
}

Patch PodMutator::plan(const Value& pod, const ResolvedIdentity& identity, RandomSource& random,
                       AnnotationIssues* issues) const {
  Patch patch;
  const Value* spec = objectMember(pod, "spec");
  if (!spec) return patch;
  const Value* metadata = objectMember(pod, "metadata");
  const Value* annotations = metadata ? objectMember(*metadata, "annotations") : nullptr;

  Plan plan;
  plan.mode = identity.mode;
  plan.identity = &identity;
  if (identity.mode == IdentityMode::kContainerCredentials) {
    const auto& cc = settings_.containerCredentials;
    plan.volumeName = cc.tokenVolumeName;
    plan.mountPath = cc.tokenMountPath;
    plan.tokenPath = cc.tokenPath;
    plan.audience = cc.audience;
  } else {
    plan.volumeName = kWebIdentityVolumeName;
    plan.mountPath = settings_.tokenMountPath;
    plan.tokenPath = kWebIdentityTokenPath;
    plan.audience = identity.audience;
  }
  plan.tokenFile = goCleanPath(std::string(plan.mountPath) + "/" + std::string(plan.tokenPath));
  if (podRunsOnWindows(*spec)) {
    std::replace(plan.tokenFile.begin(), plan.tokenFile.end(), '/', '\\');
    plan.tokenFile.insert(0, "C:");
  }
  plan.expiration = tokenExpiration(annotations, identity, random, issues);
  if (annotations) {
    if (const Value* v = member(*annotations, keys_.skipContainers()); v && v->IsString()) {
      // A malformed list skips nothing, as in the reference.
      if (auto names = goReadCsvRecord(view(*v))) plan.skip.insert(names->begin(), names->end());
    }
  }

  planVolume(*spec, plan, patch);
  planContainers(*spec, "initContainers", plan, patch);
  planContainers(*spec, "containers", plan, patch);
  if (identity.mode == IdentityMode::kContainerCredentials) planLabel(pod, patch);
  return patch;
}

void PodMutator::planContainers(const Value& spec, const char* listName, const Plan& plan,
                                Patch& patch) const {
  const Value* list = arrayMember(spec, listName);
  if (!list) return;
  for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
    const Value& container = (*list)[i];
    if (!container.IsObject()) continue;
    if (plan.skip.count(std::string(stringMember(container, "name"))) > 0) continue;
    planContainer(container, "/spec/" + std::string(listName) + "/" + std::to_string(i), plan, patch);
  }
}

void PodMutator::planContainer(const Value& container, const std::string& path, const Plan& plan,
                               Patch& patch) const {
  const Value* env = arrayMember(container, "env");
  auto hasAny = [&](auto&& names) {
    for (std::string_view n : names) {
      if (hasNamedEntry(env, n)) return true;
    }
    return false;
  };
  const bool container_credentials = plan.mode == IdentityMode::kContainerCredentials;
  const bool identityDefined =
      container_credentials ? hasAny(kIdentityEnvContainer) : hasAny(kIdentityEnvWeb);
  const bool regionDefined = hasAny(kRegionEnv);
  const bool stsDefined = hasNamedEntry(env, kEnvStsRegionalEndpoints);
  // The reference leaves such a container alone entirely, mount included.
  if (identityDefined && regionDefined && stsDefined) return;

  auto& a = patch.allocator();
  std::vector<Value> additions;
  if (!stsDefined && plan.identity->regionalSts)
    additions.push_back(envVar(kEnvStsRegionalEndpoints, kStsRegionalEndpointsValue, a));
  if (!regionDefined && !settings_.awsDefaultRegion.empty()) {
    additions.push_back(envVar(kEnvDefaultRegion, settings_.awsDefaultRegion, a));
    additions.push_back(envVar(kEnvRegion, settings_.awsDefaultRegion, a));
  }
  if (!identityDefined) {
    if (container_credentials) {
      additions.push_back(envVar(kEnvContainerCredentialsFullUri, settings_.containerCredentials.fullUri, a));
      additions.push_back(envVar(kEnvContainerAuthorizationTokenFile, plan.tokenFile, a));
    } else {
      additions.push_back(envVar(kEnvRoleArn, plan.identity->roleArn, a));
      additions.push_back(envVar(kEnvWebIdentityTokenFile, plan.tokenFile, a));
    }
  }
  if (!additions.empty()) {
    if (env) {
      for (auto& v : additions)
        patch.add(path + "/env/-", std::move(v));
    } else {
      Value list(rapidjson::kArrayType);
      for (auto& v : additions)
        list.PushBack(v, a);
      patch.add(path + "/env", std::move(list));
    }
  }

  const Value* mounts = arrayMember(container, "volumeMounts");
  if (hasNamedEntry(mounts, plan.volumeName)) return;
  Value mount(rapidjson::kObjectType);
  mount.AddMember("name", str(plan.volumeName, a), a);
  mount.AddMember("readOnly", true, a);
  mount.AddMember("mountPath", str(plan.mountPath, a), a);
  if (mounts) {
    patch.add(path + "/volumeMounts/-", std::move(mount));
  } else {
    Value list(rapidjson::kArrayType);
    list.PushBack(mount, a);
    patch.add(path + "/volumeMounts", std::move(list));
  }
}

void PodMutator::planVolume(const Value& spec, const Plan& plan, Patch& patch) const {
  const Value* volumes = arrayMember(spec, "volumes");
  if (hasNamedEntry(volumes, plan.volumeName)) return;
  auto& a = patch.allocator();
  Value token(rapidjson::kObjectType);
  token.AddMember("audience", str(plan.audience, a), a);
  token.AddMember("expirationSeconds", Value(plan.expiration), a);
  token.AddMember("path", str(plan.tokenPath, a), a);
  Value source(rapidjson::kObjectType);
  source.AddMember("serviceAccountToken", token, a);
  Value sources(rapidjson::kArrayType);
  sources.PushBack(source, a);
  Value projected(rapidjson::kObjectType);
  projected.AddMember("sources", sources, a);
  Value volume(rapidjson::kObjectType);
  volume.AddMember("name", str(plan.volumeName, a), a);
  volume.AddMember("projected", projected, a);
  if (volumes) {
    patch.add("/spec/volumes/-", std::move(volume));
  } else {
    Value list(rapidjson::kArrayType);
    list.PushBack(volume, a);
    patch.add("/spec/volumes", std::move(list));
  }
}

void PodMutator::planLabel(const Value& pod, Patch& patch) const {
  auto& a = patch.allocator();
  const Value* metadata = objectMember(pod, "metadata");
  if (!metadata) {
    Value labels(rapidjson::kObjectType);
    labels.AddMember(str(kPodIdentityLabel, a), str(kPodIdentityLabelValue, a), a);
    Value meta(rapidjson::kObjectType);
    meta.AddMember("labels", labels, a);
    patch.add("/metadata", std::move(meta));
    return;
  }
  const Value* labels = objectMember(*metadata, "labels");
  if (!labels) {
    Value fresh(rapidjson::kObjectType);
    fresh.AddMember(str(kPodIdentityLabel, a), str(kPodIdentityLabelValue, a), a);
    patch.add("/metadata/labels", std::move(fresh));
    return;
  }
  if (stringMember(*labels, kPodIdentityLabel) == kPodIdentityLabelValue) return;
  std::string path = "/metadata/labels";
  appendPointerToken(path, kPodIdentityLabel);
  patch.add(std::move(path), str(kPodIdentityLabelValue, a));
}

}  // namespace irsa::webhook
