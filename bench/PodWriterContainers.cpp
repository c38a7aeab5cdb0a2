// PodWriter: one container (image, args, ports, env, probes, resources,
// mounts) in each Role; the pod around it is in PodWriter.cpp.
#include <array>
#include <string>

#include "bench/PodWriter.hpp"

namespace irsa::bench {
namespace {

constexpr std::array<const char*, 3> kLogLevels{"info", "debug", "warn"};

}  // namespace

void PodWriter::container(const Context& c, const std::string& name, Role role) {
  w_.StartObject();
  str("name", name);
  str("image", c.registry + "/" + c.sa.ns + "/" + name + ":" + random_.hex(7));
  commandAndPorts(c, role);
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
  volumeMounts(c, role);
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

void PodWriter::commandAndPorts(const Context& c, Role role) {
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
}

void PodWriter::volumeMounts(const Context& c, Role role) {
  beginArray("volumeMounts");
  if (role != Role::kBare) mount("config", "/etc/app", true);
  if (role == Role::kMain) mount("tls", "/etc/tls", true);
  if (role == Role::kMain || role == Role::kWorker) mount("tmp", "/tmp", false);
  if (role == Role::kWorker)
    mount("pipeline-" + std::to_string(random_.between(1, 3)), "/etc/pipeline", true);
  mount(c.apiAccess, "/var/run/secrets/kubernetes.io/serviceaccount", true);
  w_.EndArray();
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

}  // namespace irsa::bench
