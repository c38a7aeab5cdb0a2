#include "kube/StaticServiceAccountSource.hpp"

#include <functional>
#include <unordered_map>
#include <utility>

#include "kube/ServiceAccountFile.hpp"
#include "util/Log.hpp"

namespace irsa::kube {
namespace {

// Transparent, so find() looks up string_views without building a key string.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace

struct StaticServiceAccountSource::Snapshot {
  StringMap<StringMap<Ptr>> byNamespace;  // namespace -> name -> ServiceAccount
  std::size_t size = 0;
  std::size_t annotated = 0;
};

util::Result<std::unique_ptr<StaticServiceAccountSource>> StaticServiceAccountSource::create(
    std::string path, const std::string& annotationPrefix) {
  auto snapshot = loadSnapshot(path, webhook::AnnotationKeys(annotationPrefix));
  if (!snapshot) return snapshot.failure();
  util::Log::info("ServiceAccounts file loaded",
                  {{"path", path}, {"count", (*snapshot)->size}, {"annotated", (*snapshot)->annotated}});
  auto source = std::make_unique<StaticServiceAccountSource>(Token{}, std::move(path), annotationPrefix);
  source->snapshot_.store(std::move(*snapshot), std::memory_order_release);
  return source;
}

StaticServiceAccountSource::StaticServiceAccountSource(Token, std::string path,
                                                       const std::string& annotationPrefix)
    : path_(std::move(path)), keys_(annotationPrefix) {}

StaticServiceAccountSource::~StaticServiceAccountSource() = default;

bool StaticServiceAccountSource::reload() {
  const std::lock_guard<std::mutex> lock(reloadMutex_);
  auto next = loadSnapshot(path_, keys_);
  if (!next) {
    util::Log::warn("ServiceAccounts file not reloaded, keeping the last good one",
                    {{"path", path_}, {"err", next.error()}});
    return false;
  }
  const std::size_t count = (*next)->size;
  const std::size_t annotated = (*next)->annotated;
  snapshot_.store(std::move(*next), std::memory_order_release);
  util::Log::info("ServiceAccounts file reloaded",
                  {{"path", path_}, {"count", count}, {"annotated", annotated}});
  return true;
}

ServiceAccountLookup::Ptr StaticServiceAccountSource::find(std::string_view ns, std::string_view name) const {
  const auto snapshot = snapshot_.load(std::memory_order_acquire);
  if (!snapshot) return nullptr;
  const auto names = snapshot->byNamespace.find(ns);
  if (names == snapshot->byNamespace.end()) return nullptr;
  const auto it = names->second.find(name);
  return it == names->second.end() ? nullptr : it->second;
}

void StaticServiceAccountSource::lookup(std::string_view ns, std::string_view name,
                                        std::chrono::steady_clock::time_point /*deadline*/, Callback done) {
  done(find(ns, name));
}

bool StaticServiceAccountSource::ready() const {
  return snapshot_.load(std::memory_order_acquire) != nullptr;
}

std::size_t StaticServiceAccountSource::size() const {
  const auto snapshot = snapshot_.load(std::memory_order_acquire);
  return snapshot ? snapshot->size : 0;
}

std::size_t StaticServiceAccountSource::annotatedCount() const {
  const auto snapshot = snapshot_.load(std::memory_order_acquire);
  return snapshot ? snapshot->annotated : 0;
}

util::Result<std::shared_ptr<const StaticServiceAccountSource::Snapshot>>
StaticServiceAccountSource::loadSnapshot(const std::string& path, const webhook::AnnotationKeys& keys) {
  auto accounts = ServiceAccountFile::load(path, keys.prefix());
  if (!accounts) return accounts.failure();
  auto snapshot = std::make_shared<Snapshot>();
  for (auto& sa : *accounts) {
    if (sa.annotation(keys.roleArn())) ++snapshot->annotated;
    auto& names = snapshot->byNamespace[std::string(sa.ns())];
    std::string name(sa.name());
    names.insert_or_assign(std::move(name), std::make_shared<const webhook::ServiceAccount>(std::move(sa)));
  }
  snapshot->size = accounts->size();  // ServiceAccountFile already merged duplicates
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

void StaticServiceAccountSource::forEach(
    const std::function<void(const webhook::ServiceAccount&)>& visit) const {
  const auto snapshot = snapshot_.load();
  for (const auto& [ns, byName] : snapshot->byNamespace) {
    for (const auto& [name, account] : byName) {
      visit(*account);
    }
  }
}

}  // namespace irsa::kube
