#include "bench/PodWriter.hpp"

#include <array>

namespace irsa::bench {

struct PodWriter::Context {
  const BenchServiceAccount& sa;
  SizeClass size;
  std::string app;
  std::string hash;       // pod-template-hash, or the bare pod's name suffix
  std::string apiAccess;  // kube-api-access-xxxxx
  std::string registry;
};

namespace {

constexpr std::array<const char*, 4> kPlainApps{"storefront", "web", "docs-site", "gateway"};
constexpr std::array<const char*, 3> kRegistries{"111122223333.dkr.ecr.eu-west-1.amazonaws.com",
                                                 "111122223333.dkr.ecr.us-east-1.amazonaws.com",
                                                 "registry.example.com/platform"};
constexpr std::array<const char*, 5> kSidecars{"log-shipper", "envoy", "config-reloader", "oauth-proxy",
                                               "otel-agent"};
constexpr std::array<const char*, 3> kLogLevels{"info", "debug", "warn"};
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
  if (c.sa.kind == PodKind::kMutated && random_.percent(10))
    str("eks.amazonaws.com/token-expiration", "43200");
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
  // Added by the ServiceAccount admission plugin before any webhook runs.
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
  w_.EndArray();
}

void PodWriter::container(const Context& c, const std::string& name, Role role) {
  w_.StartObject();
  str("name", name);
  str("image", c.registry + "/" + c.sa.ns + "/" + name + ":" + random_.hex(7));
  if (role == Role::kInit) {
    beginArray("command");
    w_.String("/bin/sh");
    w_.String("-c");
    w_.String("until nc -z " + c.app + "-db 5432; do sleep 2; done");
    w_.EndArray();
  } else if (role != Role::kBare) {
    beginArray("args");
    w_.String(std::string("--log-level=") + random_.pick(kLogLevels));
    if (role == Role::kMain) w_.String("--config=/etc/app/config.yaml");
    w_.EndArray();
    beginArray("ports");
    w_.StartObject();
    str("name", role == Role::kMain ? "http" : "metrics");
    integer("containerPort", role == Role::kMain ? 8080 : 9090);
    str("protocol", "TCP");
    w_.EndObject();
    w_.EndArray();
  }
  env(c, role);
  switch (role) {
    case Role::kBare:
    case Role::kInit:
      resources("10m", "32Mi", "100m", "64Mi");
      break;
    case Role::kMain:
      resources("250m", "512Mi", "1", "1Gi");
      break;
    case Role::kSidecar:
    case Role::kWorker:
      resources("50m", "64Mi", "200m", "256Mi");
      break;
  }
  beginArray("volumeMounts");
  if (role != Role::kBare) mount("config", "/etc/app", true);
  if (role == Role::kMain) mount("tls", "/etc/tls", true);
  if (role == Role::kMain || role == Role::kWorker) mount("tmp", "/tmp", false);
  if (role == Role::kWorker)
    mount("pipeline-" + std::to_string(random_.between(1, 3)), "/etc/pipeline", true);
  mount(c.apiAccess, "/var/run/secrets/kubernetes.io/serviceaccount", true);
  w_.EndArray();
  if (role == Role::kMain || role == Role::kWorker) {
    probe("livenessProbe", "/healthz", 10);
    probe("readinessProbe", "/readyz", 5);
  }
  if (role == Role::kMain) probe("startupProbe", "/healthz", 0);
  str("terminationMessagePath", "/dev/termination-log");
  str("terminationMessagePolicy", "File");
  str("imagePullPolicy", "IfNotPresent");
  if (role != Role::kBare) {
    beginObject("securityContext");
    beginObject("capabilities");
    beginArray("drop");
    w_.String("ALL");
    w_.EndArray();
    w_.EndObject();
    boolean("readOnlyRootFilesystem", true);
    boolean("allowPrivilegeEscalation", false);
    w_.EndObject();
  }
  w_.EndObject();
}

void PodWriter::env(const Context& c, Role role) {
  beginArray("env");
  const auto plain = [&](const char* name, const std::string& value) {
    w_.StartObject();
    str("name", name);
    str("value", value);
    w_.EndObject();
  };
  // valueFrom: {<source>: {<a>: <x>, <b>: <y>}}
  const auto from = [&](const char* name, const char* source, const char* a, const std::string& x,
                        const char* b, const std::string& y) {
    w_.StartObject();
    str("name", name);
    beginObject("valueFrom");
    beginObject(source);
    str(a, x);
    str(b, y);
    w_.EndObject();
    w_.EndObject();
    w_.EndObject();
  };
  plain("LOG_FORMAT", "json");
  // Many workloads set their region themselves; the webhook must keep it.
  if (role != Role::kInit && random_.percent(30)) plain("AWS_REGION", "eu-west-1");
  if (role == Role::kBare || role == Role::kInit) {
    w_.EndArray();
    return;
  }
  from("POD_NAME", "fieldRef", "apiVersion", "v1", "fieldPath", "metadata.name");
  if (role == Role::kSidecar) {
    w_.EndArray();
    return;
  }
  from("POD_NAMESPACE", "fieldRef", "apiVersion", "v1", "fieldPath", "metadata.namespace");
  from("DATABASE_PASSWORD", "secretKeyRef", "name", c.app + "-db", "key", "password");
  if (role == Role::kWorker) {
    plain("QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/111122223333/" + c.sa.ns + "-" + c.app);
    from("POD_IP", "fieldRef", "apiVersion", "v1", "fieldPath", "status.podIP");
  }
  if (role == Role::kMain) {
    from("POD_IP", "fieldRef", "apiVersion", "v1", "fieldPath", "status.podIP");
    from("FEATURE_FLAGS", "configMapKeyRef", "name", c.app + "-flags", "key", "flags.json");
    from("GOMAXPROCS", "resourceFieldRef", "resource", "limits.cpu", "divisor", "1");
    plain("OTEL_SERVICE_NAME", c.app);
  }
  w_.EndArray();
}

void PodWriter::probe(const char* key, const char* path, int initialDelay) {
  beginObject(key);
  beginObject("httpGet");
  str("path", path);
  integer("port", 8080);
  str("scheme", "HTTP");
  w_.EndObject();
  integer("initialDelaySeconds", initialDelay);
  integer("timeoutSeconds", 1);
  integer("periodSeconds", 10);
  integer("successThreshold", 1);
  integer("failureThreshold", 3);
  w_.EndObject();
}

void PodWriter::resources(const char* cpuRequest, const char* memRequest, const char* cpuLimit,
                          const char* memLimit) {
  beginObject("resources");
  beginObject("limits");
  str("cpu", cpuLimit);
  str("memory", memLimit);
  w_.EndObject();
  beginObject("requests");
  str("cpu", cpuRequest);
  str("memory", memRequest);
  w_.EndObject();
  w_.EndObject();
}

void PodWriter::mount(const std::string& name, const std::string& path, bool readOnly) {
  w_.StartObject();
  str("name", name);
  if (readOnly) boolean("readOnly", true);
  str("mountPath", path);
  w_.EndObject();
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
  if (!bare) {
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
