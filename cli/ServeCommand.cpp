// `irsa-webhook serve`: flags -> ServerConfig -> Server.
#include <iostream>

#include "aws/InstanceMetadata.hpp"
#include "certs/TlsContextFactory.hpp"
#include "cli/Commands.hpp"
#include "cli/KlogFlags.hpp"
#include "cli/MutationFlags.hpp"
#include "server/Server.hpp"
#include "util/FlagSet.hpp"
#include "util/Log.hpp"

namespace irsa::cli {
namespace {

int usageError(const std::string& message) {
  std::cerr << "irsa-webhook serve: " << message << "\n";
  return kExitUsage;
}

// Flags of the reference that have no effect here, parsed so that existing
// manifests still start.
struct ReferenceOnlyFlags {
  std::string serviceName{"pod-identity-webhook"};
  std::string tlsSecret{"pod-identity-webhook"};
  bool inCluster{false};
  bool composeRoleArn{false};
  // client-go informers re-deliver every object each period; the watch keeps
  // this cache exact, so there is nothing to resync.
  std::chrono::milliseconds resyncPeriod{std::chrono::seconds(60)};
  bool version{false};  // a bool flag in the reference, so `--version=false` serves
};

void addServeFlags(util::FlagSet& f, server::ServerConfig& c, ReferenceOnlyFlags& r, std::string& qpsText) {
  f.addInt("port", &c.port, "HTTPS port of the webhook");
  f.addInt("metrics-port", &c.metricsPort, "plain-HTTP port of /metrics");
  f.addString("bind-address", &c.bindAddress,
              "address both ports listen on (default: every address, IPv6 and IPv4, like Go's \":port\"; "
              "0.0.0.0 where the kernel has no IPv6)");
  f.addInt("threads", &c.threads, "I/O threads (0: one per core)");
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
  f.addString(
      "service-accounts", &c.serviceAccountsFile,
      "YAML/JSON file of ServiceAccounts to serve from instead of a cluster; reloaded when it changes");
  f.addDuration("service-account-lookup-grace-period", &c.serviceAccountLookupGracePeriod,
                "how long a pod waits for its ServiceAccount to appear (the reference defaults to 0)");
  f.addBool("enable-debugging-handlers", &c.enableDebuggingHandlers, "serve /debug/alpha/cache");
  f.addDuration("shutdown-timeout", &c.shutdownTimeout, "how long SIGTERM waits for in-flight requests");
  auto& l = c.limits;
  f.addSize("max-request-bytes", &l.maxRequestBytes, "largest request body accepted (413 above)");
  f.addSize("max-header-bytes", &l.maxHeaderBytes, "largest request header accepted (431 above)");
  f.addSize("max-connections", &l.maxConnections,
            "open connections on both ports; more are closed at accept");
  f.addDuration("tls-handshake-timeout", &l.handshakeTimeout, "time allowed for a TLS handshake");
  f.addDuration("header-timeout", &l.headerTimeout, "time allowed to receive a request header");
  f.addDuration("body-timeout", &l.bodyTimeout, "time allowed to receive a request body");
  f.addDuration("write-timeout", &l.writeTimeout, "time allowed to send a response");
  f.addDuration("idle-timeout", &l.idleTimeout,
                "keep-alive connections idle longer are closed (keep above 90s)");
  f.addSize("max-json-depth", &l.maxJsonDepth, "deepest JSON nesting accepted (400 above)");

  f.addString("kubeconfig", &c.kubeconfig,
              "kubeconfig of the API server (default: in-cluster configuration)");
  f.addString("kube-context", &c.kubeContext, "kubeconfig context (default: its current-context)");
  f.addString("kube-api", &c.kubeApi, "API server URL, overriding the kubeconfig's or the in-cluster one");
  f.addString("namespace", &c.ns, "namespace of ConfigMap pod-identity-webhook (with --watch-config-map)");
  f.addBool("watch-config-map", &c.watchConfigMap,
            "also read identities from ConfigMap pod-identity-webhook");
  f.addString("kube-api-qps", &qpsText, "API server requests per second (client-side limit)");
  f.addInt("kube-api-burst", &c.kubeApiBurst, "API server request burst (client-side limit)");
  f.addString("service-name", &r.serviceName, "");
  f.markNoEffect("service-name",
                 "names the certificate of the reference's CSR mode (--in-cluster), not supported here");
  f.addString("tls-secret", &r.tlsSecret, "");
  f.markNoEffect("tls-secret", "the Secret of the reference's CSR mode (--in-cluster), not supported here");
  f.addBool("in-cluster", &r.inCluster, "");
  f.markNoEffect(
      "in-cluster",
      "false only: the reference's CSR certificate mode is not supported; give --tls-cert/--tls-key");
  f.addBool("compose-role-arn", &r.composeRoleArn,
            "expand role-arn annotations that are bare role names, with account and region from EC2 "
            "instance metadata (IMDSv2, falling back to IMDSv1)");
  f.addDuration("resync-period", &r.resyncPeriod, "");
  f.markNoEffect("resync-period",
                 "the watch keeps the ServiceAccount cache exact, there is nothing to resync");
  f.addBool("version", &r.version, "print the version and exit");
}

// What parsing accepted but the operator should know, once the log is set up.
void logStartWarnings(const util::FlagSet& flags, const server::ServerConfig& config) {
  for (const auto& warning : flags.warnings()) {
    util::Log::warn("Ignoring command-line argument",
                    {{"argument", warning.argument}, {"reason", warning.message}});
  }
  for (const auto& flag : flags.noEffectSet()) {
    util::Log::info("Flag has no effect here", {{"flag", "--" + flag.name}, {"reason", flag.why}});
  }
  if (certs::isBelowTlsFloor(config.tlsMinVersion)) {
    util::Log::warn("TLS minimum version raised to 1.2",
                    {{"requested", config.tlsMinVersion},
                     {"used", "1.2"},
                     {"reason", "TLS 1.0 and 1.1 are not offered; the floor stays TLS 1.2"}});
  }
}

}  // namespace

int serveCommand(const std::vector<std::string>& args) {
  server::ServerConfig config;
  ReferenceOnlyFlags reference;
  util::LogOptions logOptions;
  std::string qpsText = "50";
  util::FlagSet flags("serve");
  flags.positional(util::FlagSet::Positional::kWarn);  // pflag leaves them, and the reference ignores them
  addServeFlags(flags, config, reference, qpsText);
  addMutationFlags(flags, config.mutation, config.containerCredentialsConfigFile);
  addKlogFlags(flags, logOptions);
  if (auto status = flags.parse(args); !status) return usageError(status.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (reference.version) return versionCommand();
  if (auto version = certs::parseMinTlsVersion(config.tlsMinVersion); !version) {
    return usageError(version.error());
  }
  auto logSettings = util::parseLogOptions(logOptions);
  if (!logSettings) return usageError(logSettings.error());
  logSettings->binaryDescription = std::string("irsa-webhook ") + IRSA_VERSION;
  if (auto status = validateMutationSettings(config.mutation); !status) return usageError(status.error());
  if (reference.inCluster) {
    return usageError(
        "--in-cluster (CSR certificate mode) is not supported: give --tls-cert/--tls-key, "
        "e.g. from cert-manager or the Helm chart");
  }
  if (!config.serviceAccountsFile.empty() &&
      (!config.kubeconfig.empty() || !config.kubeApi.empty() || config.watchConfigMap)) {
    return usageError(
        "--service-accounts serves from a file: it excludes --kubeconfig, --kube-api and "
        "--watch-config-map");
  }
  try {
    std::size_t used = 0;
    config.kubeApiQps = std::stod(qpsText, &used);
    if (used != qpsText.size() || config.kubeApiQps <= 0) throw std::invalid_argument("qps");
  } catch (const std::exception&) {
    return usageError("invalid value \"" + qpsText + "\" for flag --kube-api-qps: not a positive number");
  }
  if (config.kubeApiBurst <= 0) return usageError("--kube-api-burst must be positive");
  if (config.limits.maxRequestBytes == 0 || config.limits.maxConnections == 0 ||
      config.limits.maxJsonDepth == 0) {
    return usageError("--max-request-bytes, --max-connections and --max-json-depth must be positive");
  }
  if (config.threads < 0 || config.threads > 1024) return usageError("--threads must be between 0 and 1024");
  if (auto status = util::Log::configure(*logSettings); !status) {
    std::cerr << "irsa-webhook serve: " << status.error() << "\n";
    return kExitFailure;
  }
  logStartWarnings(flags, config);
  if (reference.composeRoleArn) {
    // Read once at start, like the reference; a clear error when not on EC2.
    auto composition = aws::composeFromInstanceMetadata(aws::InstanceMetadataOptions::fromEnvironment());
    if (!composition) {
      std::cerr << "irsa-webhook serve: --compose-role-arn: " << composition.error() << "\n";
      return kExitFailure;
    }
    util::Log::info("Composing role ARNs from instance metadata", {{"account", composition->account},
                                                                   {"region", composition->region},
                                                                   {"partition", composition->partition}});
    config.mutation.composeRoleArn = std::move(*composition);
  }

  auto server = server::Server::create(std::move(config));
  if (!server) {
    util::Log::error("Start failed", {{"err", server.error()}});
    std::cerr << "irsa-webhook serve: " << server.error() << "\n";
    return kExitFailure;
  }
  return (*server)->run();
}

}  // namespace irsa::cli
