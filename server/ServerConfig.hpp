#pragma once
// Everything `serve` needs, parsed once from flags and validated at start
// (STYLE.md rule 7). Every limit and timeout is a named setting here.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "webhook/Settings.hpp"

namespace irsa::server {

using std::chrono::milliseconds;

struct ServerLimits {
  std::size_t maxRequestBytes{7 * 1024 * 1024};  // the apiserver's own 3 MiB object cap, with room
  std::size_t maxHeaderBytes{16 * 1024};
  milliseconds handshakeTimeout{std::chrono::seconds(10)};
  milliseconds headerTimeout{std::chrono::seconds(10)};
  milliseconds bodyTimeout{std::chrono::seconds(30)};
  milliseconds writeTimeout{std::chrono::seconds(30)};
  // Above the apiserver's 90 s idle-connection timeout, so the client, not
  // us, closes idle keep-alive connections (no races on reuse).
  milliseconds idleTimeout{std::chrono::seconds(120)};
  std::size_t maxConnections{4096};
  std::size_t maxJsonDepth{100};
};

struct ServerConfig {
  // Listening.
  // Empty: dual stack, like Go's ":port" ([::] with IPv4-mapped addresses,
  // 0.0.0.0 where the kernel has no IPv6); see Listener.
  std::string bindAddress;
  int port{443};
  int metricsPort{9999};
  int threads{0};  // 0: one per core
  // Written once both ports listen: {"port","metricsPort","pid"} (ReadyFile).
  std::string readyFile;

  // TLS.
  std::string tlsCert{"/etc/webhook/certs/tls.crt"};
  std::string tlsKey{"/etc/webhook/certs/tls.key"};
  std::vector<std::string> tlsCipherSuites;
  std::string tlsMinVersion{"VersionTLS12"};
  std::string clientCaFile;

  // Identity sources: a file (serviceAccountsFile), else the API server
  // through a kubeconfig, else the in-cluster configuration.
  std::string serviceAccountsFile;
  std::string kubeconfig;
  std::string kubeContext;
  std::string kubeApi;  // overrides the server URL
  double kubeApiQps{50};
  int kubeApiBurst{100};
  bool watchConfigMap{false};
  std::string ns{"eks"};  // where ConfigMap pod-identity-webhook lives
  std::string containerCredentialsConfigFile;
  milliseconds serviceAccountLookupGracePeriod{std::chrono::seconds(2)};

  webhook::MutationSettings mutation;
  ServerLimits limits;

  // SIGTERM → exit is at most shutdownTimeout; its first shutdownDelay the
  // server keeps accepting and answering (readiness 503, every answer with
  // `Connection: close`), so an apiserver that still has this endpoint, or a
  // pooled connection to it, is answered while the endpoint removal spreads.
  milliseconds shutdownDelay{std::chrono::seconds(5)};
  milliseconds shutdownTimeout{std::chrono::seconds(25)};
  bool enableDebuggingHandlers{false};
};

}  // namespace irsa::server
