#include "kube/ConfigMapSource.hpp"

#include "util/Log.hpp"
#include "webhook/IdentityInputs.hpp"

namespace irsa::kube {

ConfigMapSource::ConfigMapSource(const boost::asio::any_io_executor& executor, ApiClient& client,
                                 const std::string& ns, Publish publish, ReflectorOptions options)
    : publish_(std::move(publish)) {
  reflector_ = Reflector::create(executor, client, "/api/v1/namespaces/" + ns + "/configmaps",
                                 std::string("fieldSelector=metadata.name%3D") + kIdentityConfigMapName,
                                 *this, options, "configmap/" + ns + "/" + kIdentityConfigMapName);
}

util::Result<ConfigMapSource::Snapshot> ConfigMapSource::parse(const rapidjson::Value& configMap) {
  std::vector<std::string> warnings;
  auto parsed = webhook::configMapIdentitiesOf(configMap, warnings);
  for (const auto& w : warnings)
    util::Log::warn("ConfigMap pod-identity-webhook: entry ignored", {{"err", w}});
  if (!parsed) return parsed.failure();
  return std::make_shared<const webhook::ConfigMapIdentities>(std::move(*parsed));
}

ConfigMapSource::Snapshot ConfigMapSource::parseOrKeep(const rapidjson::Value& configMap) {
  auto parsed = parse(configMap);
  if (parsed) {
    stats_.lastLoadSucceeded.store(1);
    return std::move(*parsed);
  }
  stats_.invalid.fetch_add(1);
  stats_.lastLoadSucceeded.store(0);
  const std::size_t kept = current_ ? current_->size() : 0;
  util::Log::warn("ConfigMap pod-identity-webhook is invalid, keeping the last good entries",
                  {{"err", parsed.error()}, {"keptEntries", kept}});
  return current_ ? current_ : std::make_shared<const webhook::ConfigMapIdentities>();
}

void ConfigMapSource::publish(Snapshot snapshot) {
  if (snapshot == current_) return;  // an invalid edit kept the last good entries
  util::Log::info("ConfigMap pod-identity-webhook loaded", {{"entries", snapshot->size()}});
  current_ = snapshot;
  publish_(std::move(snapshot));
}

void ConfigMapSource::onListStart() {
  staged_.reset();
}
void ConfigMapSource::onListItem(const rapidjson::Value& object) {
  staged_ = parseOrKeep(object);
}
void ConfigMapSource::onListAborted() {
  staged_.reset();
}

void ConfigMapSource::onListDone() {
  // No ConfigMap (yet) is a valid state: no entries.
  if (!staged_) stats_.lastLoadSucceeded.store(1);
  publish(staged_ ? std::move(staged_) : std::make_shared<const webhook::ConfigMapIdentities>());
  staged_.reset();
}

void ConfigMapSource::onEvent(EventType type, const rapidjson::Value& object) {
  if (type == EventType::kDeleted) {
    stats_.lastLoadSucceeded.store(1);
    return publish(std::make_shared<const webhook::ConfigMapIdentities>());
  }
  publish(parseOrKeep(object));
}

}  // namespace irsa::kube
