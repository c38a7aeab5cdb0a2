#pragma once
// Writes one realistic Pod as the kube-apiserver forwards it to a mutating
// webhook: with the kube-api-access projected volume and mounts that the
// ServiceAccount admission plugin already added and the default tolerations.
//
// small: a bare pod with one container, as `kubectl run` creates (~2 KB
// request). medium: a Deployment's pod (generateName, ownerReferences) with
// an init container, the application and 1-2 sidecars, probes, env with
// valueFrom, secret/configMap/emptyDir volumes, affinity (~7.5 KB, a typical
// production pod). large: 20 containers and 2 init containers (~40 KB).

#include <string>

#include "bench/CorpusIdentities.hpp"
#include "bench/CorpusOptions.hpp"
#include "bench/DeterministicRandom.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::bench {

// Marks each pod with its PodKind so a run can count what it sent by kind;
// the webhook ignores annotations outside its prefix.
inline constexpr const char* kKindAnnotation = "bench.irsa-webhook.io/kind";

class PodWriter {
 public:
  using JsonWriter = irsa::util::JsonWriter;

  PodWriter(JsonWriter& writer, DeterministicRandom& random) : w_(writer), random_(random) {}

  // Writes the Pod object. Returns its metadata.name: set for a bare pod,
  // empty for a controller's pod (generateName), as the webhook sees them.
  std::string write(const BenchServiceAccount& sa, SizeClass size);

 private:
  // What one pod's parts share.
  struct Context {
    const BenchServiceAccount& sa;
    SizeClass size;
    std::string app;
    std::string hash;       // pod-template-hash, or the bare pod's name suffix
    std::string apiAccess;  // kube-api-access-xxxxx
    std::string registry;
  };
  enum class Role { kBare, kInit, kMain, kSidecar, kWorker };

  void metadata(const Context& c);
  void volumes(const Context& c);
  void apiAccessVolume(const Context& c);
  void container(const Context& c, const std::string& name, Role role);
  void commandAndPorts(const Context& c, Role role);
  void volumeMounts(const Context& c, Role role);
  void env(const Context& c, Role role);
  void probe(const char* key, const char* path, int initialDelay);
  void resources(const char* cpuRequest, const char* memRequest, const char* cpuLimit, const char* memLimit);
  void mount(const std::string& name, const std::string& path, bool readOnly);
  void scheduling(const Context& c);
  void spreading(const Context& c);
  void str(const char* key, const std::string& value);
  void integer(const char* key, int value);
  void boolean(const char* key, bool value);
  void beginObject(const char* key);
  void beginArray(const char* key);

  JsonWriter& w_;
  DeterministicRandom& random_;
};

}  // namespace irsa::bench
