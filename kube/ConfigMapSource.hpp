#pragma once
// `--watch-config-map`: ConfigMap `pod-identity-webhook` in the webhook's
// namespace, key `config`, watched with a Reflector. Every add, update and
// delete publishes a fresh immutable snapshot; entries that fail to parse
// are skipped and logged as warnings.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "kube/ApiClient.hpp"
#include "kube/Reflector.hpp"
#include "webhook/ConfigMapIdentities.hpp"

namespace irsa::kube {

inline constexpr const char* kIdentityConfigMapName = "pod-identity-webhook";

class ConfigMapSource final : public ReflectorHandler {
 public:
  using Snapshot = std::shared_ptr<const webhook::ConfigMapIdentities>;
  using Publish = std::function<void(Snapshot)>;

  ConfigMapSource(boost::asio::any_io_executor executor, ApiClient& client, std::string ns, Publish publish,
                  ReflectorOptions options);

  void start() { reflector_->start(); }
  void stop() { reflector_->stop(); }
  bool ready() const { return reflector_->synced(); }
  const ReflectorStats& stats() const { return reflector_->stats(); }

  // Parses a ConfigMap object's data.config; a missing key means no entries.
  static Snapshot parse(const rapidjson::Value& configMap);

  void onListStart() override;
  void onListItem(const rapidjson::Value& object) override;
  void onListDone() override;
  void onListAborted() override;
  void onEvent(EventType type, const rapidjson::Value& object) override;

 private:
  void publish(Snapshot snapshot);

  Publish publish_;
  std::shared_ptr<Reflector> reflector_;
  Snapshot staged_;  // reflector strand only
};

}  // namespace irsa::kube
