#include "cli/ServeFlags.hpp"

#include "certs/TlsContextFactory.hpp"
#include "cli/KlogFlags.hpp"

namespace irsa::cli {
namespace {

void addListenFlags(util::FlagSet& f, server::ServerConfig& c) {
  f.addInt("port", &c.port, "HTTPS port of the webhook");
  f.addInt("metrics-port", &c.metricsPort, "plain-HTTP port of /metrics");
  f.addString("bind-address", &c.bindAddress,
              "address both ports listen on (default: every address, IPv6 and IPv4, like Go's \":port\"; "
              "0.0.0.0 where the kernel has no IPv6)");
  f.addInt("threads", &c.threads, "I/O threads (0: one per CPU the process may run on, its affinity mask)");
  f.addString("ready-file", &c.readyFile,
              "once both ports listen, write {\"port\":N,\"metricsPort\":M,\"pid\":P} to this file "
              "(atomically: a temporary file, then rename); how scripts learn the ports of --port 0");
  f.addString("tls-cert", &c.tlsCert, "serving certificate (PEM); reloaded when it changes");
  f.addString("tls-key", &c.tlsKey, "serving key (PEM); reloaded when it changes");
  f.addList("tls-cipher-suites", &c.tlsCipherSuites, "comma-separated TLS 1.2 cipher suites (Go/IANA names)");
  f.addString("tls-min-version", &c.tlsMinVersion,
              "minimum TLS version: 1.2, 1.3, VersionTLS12 or VersionTLS13 (1.0 and 1.1 start with a "
              "warning; the floor stays 1.2)");
  f.addString("client-ca-file", &c.clientCaFile,
              "if set, clients must present a certificate signed by this CA");
  f.addBool("enable-debugging-handlers", &c.enableDebuggingHandlers, "serve /debug/alpha/cache");
  f.addDuration("shutdown-delay", &c.shutdownDelay,
                "after SIGTERM, how long to keep accepting and answering (readiness 503, every answer with "
                "Connection: close) while the endpoint removal reaches the apiserver; 0 stops at once");
  f.addDuration("shutdown-timeout", &c.shutdownTimeout,
                "the longest SIGTERM may take to exit, --shutdown-delay included; requests still in flight "
                "then are cut");
}

void addLimitFlags(util::FlagSet& f, server::ServerLimits& l) {
  f.addSize("max-request-bytes", &l.maxRequestBytes, "largest request body accepted (413 above)");
  f.addSize("max-header-bytes", &l.maxHeaderBytes, "largest request header accepted (431 above)");
  f.addSize("max-connections", &l.maxConnections,
            "open connections on both ports; at the limit a new one replaces the oldest that has not "
            "begun a request, or is closed at accept");
  f.addDuration("tls-handshake-timeout", &l.handshakeTimeout, "time allowed for a TLS handshake");
  f.addDuration("header-timeout", &l.headerTimeout, "time allowed to receive a request header");
  f.addDuration("body-timeout", &l.bodyTimeout, "time allowed to receive a request body");
  f.addDuration("write-timeout", &l.writeTimeout, "time allowed to send a response");
  f.addDuration("idle-timeout", &l.idleTimeout,
                "keep-alive connections idle longer are closed (keep above 90s)");
  f.addSize("max-json-depth", &l.maxJsonDepth, "deepest JSON nesting accepted (400 above)");
}

// Where ServiceAccounts and the ConfigMap come from.
void addIdentitySourceFlags(util::FlagSet& f, server::ServerConfig& c) {
  f.addString(
      "service-accounts", &c.serviceAccountsFile,
      "YAML/JSON file of ServiceAccounts to serve from instead of a cluster; reloaded when it changes");
  f.addDuration("service-account-lookup-grace-period", &c.serviceAccountLookupGracePeriod,
                "how long a pod waits for its ServiceAccount to appear (the reference defaults to 0)");
  f.addString("kubeconfig", &c.kubeconfig,
              "kubeconfig of the API server (default: in-cluster configuration)");
  f.addString("kube-context", &c.kubeContext, "kubeconfig context (default: its current-context)");
  f.addString("kube-api", &c.kubeApi, "API server URL, overriding the kubeconfig's or the in-cluster one");
  f.addString("namespace", &c.ns, "namespace of ConfigMap pod-identity-webhook (with --watch-config-map)");
  f.addBool("watch-config-map", &c.watchConfigMap,
            "also read identities from ConfigMap pod-identity-webhook");
  f.addFloat64("kube-api-qps", &c.kubeApiQps, "API server requests per second (client-side limit)",
               {[](double qps) { return qps > 0; }, "not a positive number"});
  f.addInt("kube-api-burst", &c.kubeApiBurst, "API server request burst (client-side limit)");
}

void addReferenceOnlyFlags(util::FlagSet& f, ReferenceOnlyFlags& r) {
  f.addString("service-name", &r.serviceName, "");
  f.markNoEffect("service-name",
                 "names the certificate of the reference's CSR mode (--in-cluster), not supported here");
  f.addString("tls-secret", &r.tlsSecret, "");
  f.markNoEffect("tls-secret", "the Secret of the reference's CSR mode (--in-cluster), not supported here");
  f.addBool("in-cluster", &r.inCluster, "");
  f.markNoEffect(
      "in-cluster",
      "false only: the reference's CSR certificate mode is not supported; give --tls-cert/--tls-key");
  f.addDuration("resync-period", &r.resyncPeriod, "");
  f.markNoEffect("resync-period",
                 "the watch keeps the ServiceAccount cache exact, there is nothing to resync");
}

}  // namespace

void addServeFlags(util::FlagSet& f, ServeFlags& parsed) {
  addListenFlags(f, parsed.server);
  addLimitFlags(f, parsed.server.limits);
  addIdentitySourceFlags(f, parsed.server);
  addReferenceOnlyFlags(f, parsed.reference);
  f.addBool("compose-role-arn", &parsed.composeRoleArn,
            "expand role-arn annotations that are bare role names, with account and region from EC2 "
            "instance metadata (IMDSv2, falling back to IMDSv1)");
  f.addBool("version", &parsed.version, "print the version and exit");
  addMutationFlags(f, parsed.mutation);
  addKlogFlags(f, parsed.log);
}

util::Status validate(const ServeFlags& parsed) {
  const server::ServerConfig& c = parsed.server;
  if (auto version = certs::parseMinTlsVersion(c.tlsMinVersion); !version) return version.failure();
  if (auto log = util::parseLogOptions(parsed.log); !log) return log.failure();
  if (auto status = validate(parsed.mutation); !status) return status;
  if (parsed.reference.inCluster) {
    return util::fail(
        "--in-cluster (CSR certificate mode) is not supported: give --tls-cert/--tls-key, "
        "e.g. from cert-manager or the Helm chart");
  }
  if (!c.serviceAccountsFile.empty() && (!c.kubeconfig.empty() || !c.kubeApi.empty() || c.watchConfigMap)) {
    return util::fail(
        "--service-accounts serves from a file: it excludes --kubeconfig, --kube-api and "
        "--watch-config-map");
  }
  if (c.kubeApiBurst <= 0) return util::fail("--kube-api-burst must be positive");
  if (c.limits.maxRequestBytes == 0 || c.limits.maxConnections == 0 || c.limits.maxJsonDepth == 0) {
    return util::fail("--max-request-bytes, --max-connections and --max-json-depth must be positive");
  }
  if (c.threads < 0 || c.threads > 1024) return util::fail("--threads must be between 0 and 1024");
  if (c.shutdownDelay >= c.shutdownTimeout && c.shutdownDelay.count() > 0) {
    return util::fail("--shutdown-delay must be shorter than --shutdown-timeout, which includes it");
  }
  return util::okStatus();
}

server::ServerConfig serverConfig(ServeFlags parsed) {
  server::ServerConfig config = std::move(parsed.server);
  config.mutation = effectiveSettings(parsed.mutation);
  config.containerCredentialsConfigFile = std::move(parsed.mutation.containerCredentialsFile);
  return config;
}

}  // namespace irsa::cli
