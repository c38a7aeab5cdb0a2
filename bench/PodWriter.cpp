// PodWriter: the pod and its spec around the containers (metadata, volumes,
// scheduling); the containers themselves are in PodWriterContainers.cpp.
#include "bench/PodWriter.hpp"

#include <array>

#include "webhook/Annotations.hpp"

namespace irsa::bench {
namespace {

constexpr std::array<const char*, 4> kPlainApps{"storefront", "web", "docs-site", "gateway"};
constexpr std::array<const char*, 3> kRegistries{"111122223333.dkr.ecr.eu-west-1.amazonaws.com",
                                                 "111122223333.dkr.ecr.us-east-1.amazonaws.com",
                                                 "registry.example.com/platform"};
constexpr std::array<const char*, 5> kSidecars{"log-shipper", "envoy", "config-reloader", "oauth-proxy",
                                               "otel-agent"};
constexpr std::array<const char*, 2> kInitNames{"wait-for-dependencies", "migrate-schema"};

}  // namespace

void PodWriter::str(const char* key, const std::string& value) {
  w_.Key(key);
  w_.String(value);
}
void PodWriter::integer(const char* key, int value) {
  w_.Key(key);
  w_.Int(value);
}
void PodWriter::boolean(const char* key, bool value) {
  w_.Key(key);
  w_.Bool(value);
}
void PodWriter::beginObject(const char* key) {
  w_.Key(key);
  w_.StartObject();
}
void PodWriter::beginArray(const char* key) {
  w_.Key(key);
  w_.StartArray();
}

std::string PodWriter::write(const BenchServiceAccount& sa, SizeClass size) {
  Context c{sa,
            size,
            sa.name,
            random_.alnum(size == SizeClass::kSmall ? 5 : 10),
            "kube-api-access-" + random_.alnum(5),
            random_.pick(kRegistries)};
  if (sa.kind == PodKind::kPlain) c.app = random_.pick(kPlainApps);
  w_.StartObject();
  str("apiVersion", "v1");
  str("kind", "Pod");
  metadata(c);
  beginObject("spec");
  volumes(c);
  if (size == SizeClass::kSmall) {
    beginArray("containers");
    container(c, c.app, Role::kBare);
    w_.EndArray();
  } else {
    const int inits = size == SizeClass::kLarge ? 2 : 1;
    beginArray("initContainers");
    for (int i = 0; i < inits; ++i)
      container(c, kInitNames[static_cast<std::size_t>(i)], Role::kInit);
    w_.EndArray();
    beginArray("containers");
    container(c, c.app, Role::kMain);
    if (size == SizeClass::kLarge) {
      for (int i = 1; i < 20; ++i)
        container(c, "worker-" + std::to_string(i), Role::kWorker);
    } else {
      const auto sidecars = random_.between(1, 2);
      for (std::int64_t i = 0; i < sidecars; ++i)
        container(c, random_.pick(kSidecars), Role::kSidecar);
    }
    w_.EndArray();
  }
  scheduling(c);
  w_.EndObject();  // spec
  beginObject("status");
  w_.EndObject();
  w_.EndObject();
  return size == SizeClass::kSmall ? c.app + "-" + c.hash : "";
}

void PodWriter::metadata(const Context& c) {
  beginObject("metadata");
  const bool bare = c.size == SizeClass::kSmall;
  if (bare) {
    str("name", c.app + "-" + c.hash);
  } else {
    str("generateName", c.app + "-" + c.hash + "-");
  }
  str("namespace", c.sa.ns);
  w_.Key("creationTimestamp");
  w_.Null();
  beginObject("labels");
  if (bare) {
    str("run", c.app);
  } else {
    str("app.kubernetes.io/name", c.app);
    str("app.kubernetes.io/instance", c.app + "-" + c.sa.ns);
    const auto minor = random_.between(0, 40);
    const auto patch = random_.between(0, 9);
    str("app.kubernetes.io/version", "v1." + std::to_string(minor) + "." + std::to_string(patch));
    str("app.kubernetes.io/managed-by", "Helm");
    str("pod-template-hash", c.hash);
  }
  w_.EndObject();
  beginObject("annotations");
  str(kKindAnnotation, std::string(kindName(c.sa.kind)));
  if (!bare) {
    str("checksum/config", random_.hex(64));
    str("prometheus.io/scrape", "true");
    str("prometheus.io/port", "9090");
  }
  // A pod-level override of the token lifetime, as some charts set.
  if (c.sa.kind == PodKind::kMutated && random_.percent(10)) {
    static const webhook::AnnotationKeys keys(webhook::kDefaultAnnotationPrefix);
    str(keys.tokenExpiration().c_str(), "43200");
  }
  w_.EndObject();
  if (!bare) {
    beginArray("ownerReferences");
    w_.StartObject();
    str("apiVersion", "apps/v1");
    str("kind", "ReplicaSet");
    str("name", c.app + "-" + c.hash);
    str("uid", random_.uuid());
    boolean("controller", true);
    boolean("blockOwnerDeletion", true);
    w_.EndObject();
    w_.EndArray();
  }
  w_.EndObject();
}

void PodWriter::volumes(const Context& c) {
  beginArray("volumes");
  const auto source = [&](const std::string& name, const char* kind, const char* nameKey,
                          const std::string& ref) {
    w_.StartObject();
    str("name", name);
    beginObject(kind);
    str(nameKey, ref);
    integer("defaultMode", 420);
    w_.EndObject();
    w_.EndObject();
  };
  if (c.size != SizeClass::kSmall) {
    source("config", "configMap", "name", c.app + "-config");
    source("tls", "secret", "secretName", c.app + "-tls");
    w_.StartObject();
    str("name", "tmp");
    beginObject("emptyDir");
    w_.EndObject();
    w_.EndObject();
  }
  if (c.size == SizeClass::kLarge) {
    for (int i = 1; i < 4; ++i)
      source("pipeline-" + std::to_string(i), "configMap", "name", c.app + "-pipeline");
  }
  apiAccessVolume(c);
  w_.EndArray();
}

// The projected token, CA and namespace volume the ServiceAccount admission
// plugin adds before any webhook runs.
void PodWriter::apiAccessVolume(const Context& c) {
  w_.StartObject();
  str("name", c.apiAccess);
  beginObject("projected");
  beginArray("sources");
  w_.StartObject();
  beginObject("serviceAccountToken");
  integer("expirationSeconds", 3607);
  str("path", "token");
  w_.EndObject();
  w_.EndObject();
  w_.StartObject();
  beginObject("configMap");
  str("name", "kube-root-ca.crt");
  beginArray("items");
  w_.StartObject();
  str("key", "ca.crt");
  str("path", "ca.crt");
  w_.EndObject();
  w_.EndArray();
  w_.EndObject();
  w_.EndObject();
  w_.StartObject();
  beginObject("downwardAPI");
  beginArray("items");
  w_.StartObject();
  str("path", "namespace");
  beginObject("fieldRef");
  str("apiVersion", "v1");
  str("fieldPath", "metadata.namespace");
  w_.EndObject();
  w_.EndObject();
  w_.EndArray();
  w_.EndObject();
  w_.EndObject();
  w_.EndArray();
  integer("defaultMode", 420);
  w_.EndObject();
  w_.EndObject();
}

// Anti-affinity by host and a spread over zones, as a production chart sets.
void PodWriter::spreading(const Context& c) {
  beginObject("affinity");
  beginObject("podAntiAffinity");
  beginArray("preferredDuringSchedulingIgnoredDuringExecution");
  w_.StartObject();
  integer("weight", 100);
  beginObject("podAffinityTerm");
  beginObject("labelSelector");
  beginObject("matchLabels");
  str("app.kubernetes.io/name", c.app);
  w_.EndObject();
  w_.EndObject();
  str("topologyKey", "kubernetes.io/hostname");
  w_.EndObject();
  w_.EndObject();
  w_.EndArray();
  w_.EndObject();
  w_.EndObject();
  beginArray("topologySpreadConstraints");
  w_.StartObject();
  integer("maxSkew", 1);
  str("topologyKey", "topology.kubernetes.io/zone");
  str("whenUnsatisfiable", "ScheduleAnyway");
  beginObject("labelSelector");
  beginObject("matchLabels");
  str("app.kubernetes.io/name", c.app);
  w_.EndObject();
  w_.EndObject();
  w_.EndObject();
  w_.EndArray();
}

void PodWriter::scheduling(const Context& c) {
  const bool bare = c.size == SizeClass::kSmall;
  str("restartPolicy", bare ? "Never" : "Always");
  integer("terminationGracePeriodSeconds", 30);
  str("dnsPolicy", "ClusterFirst");
  str("serviceAccountName", c.sa.name);
  str("serviceAccount", c.sa.name);
  beginObject("securityContext");
  if (!bare) {
    boolean("runAsNonRoot", true);
    integer("runAsUser", 10001);
    integer("fsGroup", 10001);
  }
  w_.EndObject();
  if (!bare) spreading(c);
  str("schedulerName", "default-scheduler");
  // Added by the DefaultTolerationSeconds admission plugin.
  beginArray("tolerations");
  for (const char* key : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    w_.StartObject();
    str("key", key);
    str("operator", "Exists");
    str("effect", "NoExecute");
    integer("tolerationSeconds", 300);
    w_.EndObject();
  }
  if (c.size == SizeClass::kLarge) {
    w_.StartObject();
    str("key", "workload");
    str("operator", "Equal");
    str("value", "batch");
    str("effect", "NoSchedule");
    w_.EndObject();
  }
  w_.EndArray();
  integer("priority", 0);
  boolean("enableServiceLinks", true);
  str("preemptionPolicy", "PreemptLowerPriority");
}

}  // namespace irsa::bench
