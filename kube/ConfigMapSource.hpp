#pragma once
// `--watch-config-map`: ConfigMap `pod-identity-webhook` in the webhook's
// namespace, key `config`, watched with a Reflector. Every add, update and
// delete publishes a fresh immutable snapshot; entries the reference could
// not use are skipped and logged as warnings. A `config` that does not parse
// (invalid JSON, a value of the wrong type) keeps the last good entries, as
// the reference does, with a warning and a metric; a deleted ConfigMap or a
// removed `config` key clears them (the reference keeps them).

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "kube/ApiClient.hpp"
#include "kube/Reflector.hpp"
#include "webhook/ConfigMapIdentities.hpp"

namespace irsa::kube {

inline constexpr const char* kIdentityConfigMapName = "pod-identity-webhook";

struct ConfigMapStats {
  std::atomic<std::uint64_t> invalid{0};  // `config` values rejected as a whole
  std::atomic<int> lastLoadSucceeded{1};  // 0 while the live ConfigMap's `config` is rejected
};

class ConfigMapSource final : public ReflectorHandler {
 public:
  using Snapshot = std::shared_ptr<const webhook::ConfigMapIdentities>;
  using Publish = std::function<void(Snapshot)>;

  ConfigMapSource(const boost::asio::any_io_executor& executor, ApiClient& client, const std::string& ns,
                  Publish publish, ReflectorOptions options);

  void start() { reflector_->start(); }
  void stop() { reflector_->stop(); }
  bool ready() const { return reflector_->synced(); }
  const ReflectorStats& stats() const { return reflector_->stats(); }
  const ConfigMapStats& configStats() const { return stats_; }

  // Parses a ConfigMap object's data.config; a missing key means no entries.
  static util::Result<Snapshot> parse(const rapidjson::Value& configMap);

  void onListStart() override;
  void onListItem(const rapidjson::Value& object) override;
  void onListDone() override;
  void onListAborted() override;
  void onEvent(EventType type, const rapidjson::Value& object) override;

 private:
  void publish(Snapshot snapshot);
  Snapshot parseOrKeep(const rapidjson::Value& configMap);

  Publish publish_;
  std::shared_ptr<Reflector> reflector_;
  Snapshot staged_;   // reflector strand only
  Snapshot current_;  // reflector strand only: the last one published
  ConfigMapStats stats_;
};

}  // namespace irsa::kube
