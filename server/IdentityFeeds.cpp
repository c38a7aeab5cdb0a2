#include "server/IdentityFeeds.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "kube/ClusterConfig.hpp"
#include "kube/ConfigMapSource.hpp"
#include "kube/ContainerCredentialsFile.hpp"
#include "kube/KubeApiClient.hpp"
#include "kube/ServiceAccountCache.hpp"
#include "kube/StaticServiceAccountSource.hpp"
#include "util/Log.hpp"

namespace irsa::server {

IdentityFeeds::IdentityFeeds(const ServerConfig& config, IdentityConfig& identityConfig)
    : config_(config), identityConfig_(identityConfig) {}

IdentityFeeds::~IdentityFeeds() {
  stop();
}

util::Result<std::unique_ptr<IdentityFeeds>> IdentityFeeds::create(const ServerConfig& config,
                                                                   boost::asio::io_context& ioc,
                                                                   IdentityConfig& identityConfig) {
  std::unique_ptr<IdentityFeeds> sources(new IdentityFeeds(config, identityConfig));
  if (!config.serviceAccountsFile.empty()) {
    auto source = kube::StaticServiceAccountSource::create(config.serviceAccountsFile,
                                                           config.mutation.annotationPrefix);
    if (!source) return source.failure();
    sources->staticSource_ = std::move(*source);
    sources->serviceAccounts_ = sources->staticSource_.get();
  } else if (auto status = sources->initCluster(ioc); !status) {
    return status.failure();
  }
  if (auto status = sources->loadContainerCredentials(); !status) {
    // As in the reference, content that does not load is not a start
    // failure: nobody is listed until the file is fixed (the watcher reloads it).
    util::Log::warn("Container credentials config file not loaded, no identities from it until it is fixed",
                    {{"err", status.error()}});
    sources->identityConfig_.setContainerCredentials(
        std::make_shared<const webhook::ContainerCredentialsConfig>());
  }
  return sources;
}

util::Status IdentityFeeds::initCluster(boost::asio::io_context& ioc) {
  kube::ClusterConfigOptions options;
  options.kubeconfigPath = config_.kubeconfig;
  options.context = config_.kubeContext;
  options.serverOverride = config_.kubeApi;
  auto cluster = kube::loadClusterConfig(options);
  if (!cluster) {
    if (config_.kubeconfig.empty()) {
      util::Error error = cluster.failure().within("in-cluster configuration");
      error.message += " (outside a cluster, give --kubeconfig or --service-accounts)";
      return error;
    }
    return cluster.failure();
  }
  util::Log::info("Using the API server",
                  {{"source", cluster->source}, {"host", cluster->host}, {"port", cluster->port}});

  kube::KubeApiClientOptions clientOptions;
  clientOptions.qps = config_.kubeApiQps;
  clientOptions.burst = config_.kubeApiBurst;
  auto client = kube::KubeApiClient::create(ioc, std::move(*cluster), clientOptions);
  if (!client) return client.failure();
  client_ = std::move(*client);

  kube::ServiceAccountCacheOptions cacheOptions;
  cacheOptions.annotationPrefix = config_.mutation.annotationPrefix;
  cacheOptions.getTimeout = config_.serviceAccountLookupGracePeriod;
  cache_ =
      kube::ServiceAccountCache::create(ioc.get_executor(), *client_, cacheOptions, kube::ReflectorOptions{});
  serviceAccounts_ = cache_.get();

  if (config_.watchConfigMap) {
    util::Log::info("Watching ConfigMap pod-identity-webhook in " + config_.ns + " namespace");
    configMap_ = std::make_unique<kube::ConfigMapSource>(
        ioc.get_executor(), *client_, config_.ns,
        [this](kube::ConfigMapSource::Snapshot snapshot) {
          identityConfig_.setConfigMap(std::move(snapshot));
        },
        kube::ReflectorOptions{});
  }
  return util::okStatus();
}

util::Status IdentityFeeds::loadContainerCredentials() {
  const auto& path = config_.containerCredentialsConfigFile;
  if (path.empty()) return util::okStatus();
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    // Not written yet (or deleted): nobody is listed, as in the reference;
    // the watcher loads the file when it appears.
    util::Log::info("Container credentials config file does not exist yet, watching for it",
                    {{"file", path}});
    identityConfig_.setContainerCredentials(std::make_shared<const webhook::ContainerCredentialsConfig>());
    return util::okStatus();
  }
  auto loaded = kube::ContainerCredentialsFile::load(path);
  if (!loaded) return loaded.failure();
  util::Log::info(loaded->empty ? "Container credentials config file is empty, clearing cache"
                                : "Successfully loaded container credentials config file",
                  {{"file", path}, {"identities", loaded->identities.size()}});
  identityConfig_.setContainerCredentials(
      std::make_shared<const webhook::ContainerCredentialsConfig>(std::move(loaded->identities)));
  return util::okStatus();
}

bool IdentityFeeds::ready() const {
  if (!serviceAccounts_->ready()) return false;
  return !configMap_ || configMap_->ready();
}

void IdentityFeeds::start() {
  if (cache_) cache_->start();
  if (configMap_) configMap_->start();
}

void IdentityFeeds::stop() {
  if (cache_) cache_->stop();
  if (configMap_) configMap_->stop();
}

void IdentityFeeds::registerMetrics(Metrics& metrics) {
  metrics.addGauge("irsa_webhook_service_accounts", "ServiceAccounts held by the identity cache",
                   [this] { return static_cast<double>(serviceAccounts_->size()); });
  if (staticSource_ && staticSource_->annotatedCount() > 0) metrics.markUsed();
  if (configMap_) {
    const auto& stats = configMap_->configStats();
    metrics.addCounter(
        "irsa_webhook_configmap_invalid_total",
        "Edits of the identity ConfigMap's config that did not parse (the last good entries stay)",
        [&stats] { return static_cast<double>(stats.invalid.load()); });
    metrics.addGauge(
        "irsa_webhook_configmap_last_load_success",
        "1 when the identity ConfigMap's current config parsed, 0 while its last good entries are kept",
        [&stats] { return static_cast<double>(stats.lastLoadSucceeded.load()); });
  }
  if (!cache_) return;
  const auto& lookups = cache_->lookupStats();
  auto lookupCounter = [&](const char* outcome, const std::atomic<std::uint64_t>& value) {
    metrics.addCounter(
        "irsa_webhook_service_account_lookups_total", "ServiceAccount lookups of admitted pods, by outcome",
        [&value] { return static_cast<double>(value.load()); }, std::string("outcome=\"") + outcome + "\"");
  };
  lookupCounter("hit", lookups.hit);
  lookupCounter("waited_hit", lookups.waitedHit);
  lookupCounter("api_hit", lookups.apiHit);
  lookupCounter("miss", lookups.miss);
  const auto& reflector = cache_->reflectorStats();
  metrics.addCounter("irsa_webhook_watch_restarts_total", "ServiceAccount watches reopened",
                     [&reflector] { return static_cast<double>(reflector.watchRestarts.load()); });
  metrics.addCounter("irsa_webhook_relists_total", "ServiceAccount lists after the first (410 Gone, errors)",
                     [&reflector] { return static_cast<double>(reflector.relists.load()); });
}

util::Status IdentityFeeds::watchFiles(boost::asio::any_io_executor executor,
                                       std::vector<std::unique_ptr<certs::DirectoryWatcher>>& watchers) {
  using Missing = certs::DirectoryWatcher::MissingDirectory;
  auto add = [&](const std::string& file, std::function<void()> onChange, Missing missing) -> util::Status {
    auto watcher = certs::DirectoryWatcher::create(executor, {file}, std::move(onChange),
                                                   certs::DirectoryWatcher::kDefaultDebounce, missing);
    if (!watcher) return watcher.failure();
    watchers.push_back(std::move(*watcher));
    return util::okStatus();
  };
  if (staticSource_) {
    if (auto s = add(
            config_.serviceAccountsFile, [this] { staticSource_->reload(); }, Missing::kFail);
        !s) {
      return s;
    }
  }
  if (!config_.containerCredentialsConfigFile.empty()) {
    auto reload = [this] {
      if (auto s = loadContainerCredentials(); !s) {
        util::Log::warn("Container credentials config file not reloaded, keeping the last good one",
                        {{"err", s.error()}});
      }
    };
    util::Log::info("Watching container credentials config file " + config_.containerCredentialsConfigFile);
    // The file (and its directory) may be created after start-up.
    if (auto s = add(config_.containerCredentialsConfigFile, reload, Missing::kWatchAncestor); !s) return s;
  }
  return util::okStatus();
}

}  // namespace irsa::server
