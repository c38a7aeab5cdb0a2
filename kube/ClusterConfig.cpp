#include "kube/ClusterConfig.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "certs/Pem.hpp"
#include "kube/KubeconfigFile.hpp"
#include "kube/ServerUrl.hpp"

namespace irsa::kube {
namespace {

std::string env(const char* name) {
  // Read once, at start-up, before any thread exists (STYLE.md rule 7).
  const char* v = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  return v == nullptr ? std::string() : std::string(v);
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// rest.InClusterConfig: the service's host/port from the environment, the
// pod's ServiceAccount token (re-read as it rotates) and the cluster CA.
util::Result<ClusterConfig> inClusterConfig(const std::string& host, const std::string& port,
                                            const std::string& dir) {
  ClusterConfig out;
  // The variable holds a bare IPv6 address; strip brackets if someone added them.
  out.host =
      host.size() > 2 && host.front() == '[' && host.back() == ']' ? host.substr(1, host.size() - 2) : host;
  auto url = parseServerUrl(joinHostPort(out.host, port));
  if (!url) return url.failure().within("in-cluster config: KUBERNETES_SERVICE_HOST/PORT");
  out.port = url->port;
  const std::string caFile = (std::filesystem::path(dir) / "ca.crt").string();
  auto ca = certs::readPemFile(caFile, "in-cluster CA");
  if (!ca) return ca.failure().within("in-cluster config");
  out.caPem = std::move(*ca);
  out.tokenFile = (std::filesystem::path(dir) / "token").string();
  out.source = "in-cluster";
  return out;
}

}  // namespace

util::Result<ClusterConfig> loadClusterConfig(const ClusterConfigOptions& options) {
  util::Result<ClusterConfig> config = util::fail("unset");
  if (!options.kubeconfigPath.empty()) {
    config = readKubeconfig(options.kubeconfigPath, options.context);
  } else {
    const std::string host = env("KUBERNETES_SERVICE_HOST");
    const std::string port = env("KUBERNETES_SERVICE_PORT");
    const std::string tokenFile = (std::filesystem::path(options.inClusterDir) / "token").string();
    // client-go's in-cluster "Possible()": both variables and the token file.
    if (!host.empty() && !port.empty() && fileExists(tokenFile)) {
      config = inClusterConfig(host, port, options.inClusterDir);
    } else if (!options.serverOverride.empty()) {
      // BuildConfigFromFlags with only --kube-api: that server, system roots, no credentials.
      config = ClusterConfig{};
      config->source = "--kube-api";
    } else if (host.empty() || port.empty()) {
      return util::fail(
          "no cluster configured: pass --kubeconfig, or run in a pod (KUBERNETES_SERVICE_HOST and "
          "KUBERNETES_SERVICE_PORT are not set)");
    } else {
      return util::fail("in-cluster config: no ServiceAccount token at " + tokenFile +
                        " (is automountServiceAccountToken disabled?)");
    }
  }
  if (!config) return config;

  if (!options.serverOverride.empty()) {
    auto url = parseServerUrl(options.serverOverride);
    if (!url) return url.failure().within("--kube-api");
    config->host = url->host;
    config->port = url->port;
    config->basePath = url->basePath;
    if (config->source != "--kube-api") config->source += " with server from --kube-api";
  }
  if (config->tlsServerName.empty()) config->tlsServerName = config->host;
  return config;
}

}  // namespace irsa::kube
