#pragma once
// How to reach and authenticate to the API server: from a kubeconfig
// (--kubeconfig, its current or a named context) or from the in-cluster
// environment, with --kube-api overriding the server URL as in client-go's
// BuildConfigFromFlags.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/Result.hpp"

namespace irsa::kube {

// A kubeconfig user's `exec` credential plugin (client.authentication.k8s.io
// v1 or v1beta1), as client-go runs it.
struct ExecCredentialConfig {
  std::string apiVersion;  // client.authentication.k8s.io/v1 or /v1beta1
  std::string command;     // a bare name is looked up in PATH; ./x is relative to the kubeconfig
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;  // added to the webhook's environment
  std::string installHint;                               // shown when the command is not found
  bool provideClusterInfo{false};
  std::string clusterConfigJson;  // the cluster's client.authentication.k8s.io/exec extension, raw JSON
};

struct ClusterConfig {
  std::string host;           // e.g. "10.0.0.1" or "api.example.com"
  std::string port;           // e.g. "443"
  std::string basePath;       // a path prefix in the server URL, usually empty
  std::string tlsServerName;  // SNI and name to verify; defaults to host

  std::string caPem;  // trusted CA bundle (PEM); empty: system roots
  bool insecureSkipTlsVerify{false};
  std::string clientCertPem;  // client certificate authentication
  std::string clientKeyPem;
  std::string bearerToken;                   // static token
  std::string tokenFile;                     // token re-read when it changes (bound tokens rotate)
  std::optional<ExecCredentialConfig> exec;  // a credential plugin instead of the token

  // Where the config came from, for logs ("kubeconfig /x context y", "in-cluster").
  std::string source;
};

struct ClusterConfigOptions {
  std::string kubeconfigPath;  // --kubeconfig; empty: in-cluster
  std::string context;         // empty: current-context
  std::string serverOverride;  // --kube-api
  // Where the in-cluster CA and token live; tests point it at a temp dir.
  std::string inClusterDir{"/var/run/secrets/kubernetes.io/serviceaccount"};
};

// Kubeconfig when a path is given; otherwise the in-cluster environment
// (KUBERNETES_SERVICE_HOST/PORT, /var/run/secrets/kubernetes.io/serviceaccount).
util::Result<ClusterConfig> loadClusterConfig(const ClusterConfigOptions& options);

}  // namespace irsa::kube
