#pragma once
// The live feeds of the identity inputs, chosen once at start: a
// ServiceAccount file (--service-accounts), or the API server (kubeconfig or
// in-cluster) with the optional ConfigMap source, plus the
// container-credentials file. Owns them, starts and stops them, watches their
// files, publishes their metrics, and keeps IdentityConfig's snapshots
// current. (webhook::IdentityInputs builds one pod's inputs from those.)

#include <boost/asio/io_context.hpp>
#include <memory>
#include <vector>

#include "certs/DirectoryWatcher.hpp"
#include "kube/ServiceAccountLookup.hpp"
#include "server/IdentityConfig.hpp"
#include "server/Metrics.hpp"
#include "server/ServerConfig.hpp"
#include "util/Result.hpp"

namespace irsa::kube {
class ConfigMapSource;
class KubeApiClient;
class ServiceAccountCache;
class StaticServiceAccountSource;
}  // namespace irsa::kube

namespace irsa::server {

class IdentityFeeds {
 public:
  // Destroy before `ioc`: the API-server objects hold its timers and sockets.
  static util::Result<std::unique_ptr<IdentityFeeds>> create(const ServerConfig& config,
                                                             boost::asio::io_context& ioc,
                                                             IdentityConfig& identityConfig);
  ~IdentityFeeds();

  kube::ServiceAccountLookup& serviceAccounts() { return *serviceAccounts_; }
  bool ready() const;
  void start();
  void stop();
  void registerMetrics(Metrics& metrics);
  // Watches the files this source reads (the ServiceAccount file, the
  // container-credentials file) and reloads them on change.
  util::Status watchFiles(boost::asio::any_io_executor executor,
                          std::vector<std::unique_ptr<certs::DirectoryWatcher>>& watchers);

 private:
  IdentityFeeds(const ServerConfig& config, IdentityConfig& identityConfig);
  util::Status initCluster(boost::asio::io_context& ioc);
  util::Status loadContainerCredentials();

  const ServerConfig& config_;
  IdentityConfig& identityConfig_;
  std::unique_ptr<kube::StaticServiceAccountSource> staticSource_;
  std::unique_ptr<kube::KubeApiClient> client_;
  std::shared_ptr<kube::ServiceAccountCache> cache_;
  std::unique_ptr<kube::ConfigMapSource> configMap_;
  kube::ServiceAccountLookup* serviceAccounts_{nullptr};
};

}  // namespace irsa::server
