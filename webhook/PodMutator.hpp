#pragma once
// Plans the minimal JSON Patch that gives a pod its AWS identity: a pure
// function of the raw pod, the resolved identity and the settings. Fields it
// does not know are never touched, and a mutated pod plans to nothing.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "webhook/AnnotationValues.hpp"
#include "webhook/Annotations.hpp"
#include "webhook/Patch.hpp"
#include "webhook/RandomSource.hpp"
#include "webhook/ResolvedIdentity.hpp"
#include "webhook/Settings.hpp"

namespace irsa::webhook {

// The pod spec says it runs on Windows: a `kubernetes.io/os` or
// `beta.kubernetes.io/os` node selector, or `spec.os.name`, is "windows".
// (Its token file is then a `C:` path; doctor's pod lints check the same.)
bool podRunsOnWindows(const rapidjson::Value& spec);

class PodMutator {
 public:
  explicit PodMutator(const MutationSettings& settings);
  // It keeps a reference: the settings must outlive it.
  explicit PodMutator(MutationSettings&&) = delete;

  // Pod annotation values that break their rule are added to `issues` when
  // it is given.
  Patch plan(const rapidjson::Value& pod, const ResolvedIdentity& identity, RandomSource& random,
             AnnotationIssues* issues = nullptr) const;

 private:
  struct Plan;  // per-pod values shared by all containers

  std::int64_t tokenExpiration(const rapidjson::Value* annotations, const ResolvedIdentity& identity,
                               RandomSource& random, AnnotationIssues* issues) const;
  void planContainers(const rapidjson::Value& spec, const char* listName, const Plan& plan,
                      Patch& patch) const;
  void planContainer(const rapidjson::Value& container, const std::string& path, const Plan& plan,
                     Patch& patch) const;
  void planVolume(const rapidjson::Value& spec, const Plan& plan, Patch& patch) const;
  void planLabel(const rapidjson::Value& pod, Patch& patch) const;

  const MutationSettings& settings_;
  const AnnotationKeys keys_;
};

}  // namespace irsa::webhook
