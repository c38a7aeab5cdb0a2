#pragma once
// `serve --service-accounts FILE`: ServiceAccounts from a YAML/JSON file
// instead of a cluster (first runs, benchmarks, clusterless tests).
//
// Readers get an immutable snapshot through one atomic shared_ptr load, so
// find() never takes a lock and a reload never disturbs requests in flight.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "kube/ServiceAccountLookup.hpp"
#include "util/Result.hpp"
#include "webhook/Annotations.hpp"

namespace irsa::kube {

class StaticServiceAccountSource final : public ServiceAccountLookup {
  struct Token {
    explicit Token() = default;
  };

 public:
  // Loads the file once; fails when that first load fails.
  static util::Result<std::unique_ptr<StaticServiceAccountSource>> create(
      std::string path, const std::string& annotationPrefix);

  StaticServiceAccountSource(Token, std::string path, const std::string& annotationPrefix);  // use create()
  ~StaticServiceAccountSource() override;
  StaticServiceAccountSource(const StaticServiceAccountSource&) = delete;
  StaticServiceAccountSource& operator=(const StaticServiceAccountSource&) = delete;

  // Re-reads the file. On success swaps in the new snapshot and logs
  // `service_accounts_reloaded`; on failure keeps serving the old one, logs
  // `service_accounts_reload_failed` and returns false.
  bool reload();

  Ptr find(std::string_view ns, std::string_view name) const override;
  // A file has nothing to wait for: `done` runs before lookup() returns.
  void lookup(std::string_view ns, std::string_view name, std::chrono::steady_clock::time_point deadline,
              Callback done) override;
  bool ready() const override;
  std::size_t size() const override;
  void forEach(const std::function<void(const webhook::ServiceAccount&)>& visit) const override;

  // ServiceAccounts with `<prefix>/role-arn` (the `pod_identity_webhook_used` gauge).
  std::size_t annotatedCount() const;

  const std::string& path() const { return path_; }

 private:
  struct Snapshot;
  static util::Result<std::shared_ptr<const Snapshot>> loadSnapshot(const std::string& path,
                                                                    const webhook::AnnotationKeys& keys);

  const std::string path_;
  const webhook::AnnotationKeys keys_;
  // Serialises reload() so a slower, older read never replaces a newer one.
  // find() never takes it; only reloaders wait on each other's file I/O.
  std::mutex reloadMutex_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
};

}  // namespace irsa::kube
