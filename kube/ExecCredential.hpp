#pragma once
// The ExecCredential exchange with a kubeconfig credential plugin
// (client.authentication.k8s.io v1 and v1beta1): the KUBERNETES_EXEC_INFO
// value the plugin reads, and the plugin's answer on stdout. No I/O here;
// ExecCredentialProvider runs the plugin.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "kube/ClusterConfig.hpp"
#include "util/Result.hpp"

namespace irsa::kube {

inline constexpr std::string_view kExecApiV1 = "client.authentication.k8s.io/v1";
inline constexpr std::string_view kExecApiV1beta1 = "client.authentication.k8s.io/v1beta1";

struct ExecCredentialStatus {
  std::string token;
  // When the plugin gave none, the token is used until the API server refuses it.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

// {"apiVersion":…,"kind":"ExecCredential","spec":{"interactive":false,"cluster":{…}}};
// the cluster (server, CA, TLS settings, the exec extension's config) only
// with provideClusterInfo. `server` is the API server's URL.
std::string execInfoJson(const ExecCredentialConfig& exec, const ClusterConfig& cluster,
                         const std::string& server);

// The plugin's stdout: an ExecCredential of the configured apiVersion with a
// status.token. Client certificates (clientCertificateData/clientKeyData)
// are refused with an error that says so.
util::Result<ExecCredentialStatus> parseExecCredential(std::string_view json, std::string_view apiVersion);

// An RFC 3339 timestamp as metav1.Time writes it ("2026-12-02T07:00:00Z",
// fractional seconds and numeric offsets allowed).
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace irsa::kube
