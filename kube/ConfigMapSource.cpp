#include "kube/ConfigMapSource.hpp"

#include "util/Log.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {

ConfigMapSource::ConfigMapSource(boost::asio::any_io_executor executor, ApiClient& client, std::string ns,
                                 Publish publish, ReflectorOptions options)
    : publish_(std::move(publish)) {
  reflector_ = Reflector::create(std::move(executor), client, "/api/v1/namespaces/" + ns + "/configmaps",
                                 std::string("fieldSelector=metadata.name%3D") + kIdentityConfigMapName, *this,
                                 std::move(options), "configmap/" + ns + "/" + kIdentityConfigMapName);
}

ConfigMapSource::Snapshot ConfigMapSource::parse(const rapidjson::Value& configMap) {
  const rapidjson::Value* data = webhook::objectMember(configMap, "data");
  const std::string_view config = data ? webhook::stringMember(*data, "config") : std::string_view();
  std::vector<std::string> warnings;
  auto parsed = webhook::ConfigMapIdentities::parse(config.empty() ? "{}" : config, warnings);
  for (const auto& w : warnings) util::Log::warn("ConfigMap pod-identity-webhook: entry ignored", {{"err", w}});
  if (!parsed) {
    util::Log::warn("ConfigMap pod-identity-webhook is invalid", {{"err", parsed.error()}});
    return std::make_shared<const webhook::ConfigMapIdentities>();
  }
  return std::make_shared<const webhook::ConfigMapIdentities>(std::move(*parsed));
}

void ConfigMapSource::publish(Snapshot snapshot) {
  util::Log::info("ConfigMap pod-identity-webhook loaded", {{"entries", snapshot->size()}});
  publish_(std::move(snapshot));
}

void ConfigMapSource::onListStart() { staged_.reset(); }
void ConfigMapSource::onListItem(const rapidjson::Value& object) { staged_ = parse(object); }
void ConfigMapSource::onListAborted() { staged_.reset(); }

void ConfigMapSource::onListDone() {
  // No ConfigMap (yet) is a valid state: no entries.
  publish(staged_ ? std::move(staged_) : std::make_shared<const webhook::ConfigMapIdentities>());
  staged_.reset();
}

void ConfigMapSource::onEvent(EventType type, const rapidjson::Value& object) {
  publish(type == EventType::kDeleted ? std::make_shared<const webhook::ConfigMapIdentities>() : parse(object));
}

}  // namespace irsa::kube
