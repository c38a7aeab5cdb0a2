#include "kube/ServiceAccountCache.hpp"

#include <functional>

#include "kube/ServiceAccountObject.hpp"
#include "util/Log.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {

namespace net = boost::asio;

// One pod waiting for its ServiceAccount. Completed exactly once, by whoever
// gets there first: the watch, the direct GET or the deadline alarm.
struct ServiceAccountCache::Waiter {
  Waiter(const DeadlineClock& clock, net::any_io_executor ex) : alarm(clock.makeAlarm(std::move(ex))) {}
  std::atomic<bool> done{false};
  Callback callback;
  const std::unique_ptr<Alarm> alarm;  // set before the waiter is shared: safe to use from any thread
};

namespace {

std::string makeKey(std::string_view ns, std::string_view name) {
  std::string key;
  key.reserve(ns.size() + 1 + name.size());
  key.append(ns).push_back('/');
  key.append(name);
  return key;
}

// "ns/name" for a lookup, on the stack for any valid pair of names (each at
// most 253 characters): the admission path allocates nothing to find a key.
class LookupKey {
 public:
  LookupKey(std::string_view ns, std::string_view name) {
    const std::size_t size = ns.size() + 1 + name.size();
    char* out = size <= sizeof(buffer_) ? buffer_ : (heap_.resize(size), heap_.data());
    ns.copy(out, ns.size());
    out[ns.size()] = '/';
    name.copy(out + ns.size() + 1, name.size());
    view_ = std::string_view(out, size);
  }
  LookupKey(const LookupKey&) = delete;
  LookupKey& operator=(const LookupKey&) = delete;
  std::string_view view() const { return view_; }

 private:
  char buffer_[512];
  std::string heap_;
  std::string_view view_;
};

}  // namespace

std::shared_ptr<ServiceAccountCache> ServiceAccountCache::create(const net::any_io_executor& executor,
                                                                 ApiClient& client,
                                                                 ServiceAccountCacheOptions options,
                                                                 ReflectorOptions reflectorOptions) {
  std::shared_ptr<ServiceAccountCache> cache(new ServiceAccountCache(executor, client, std::move(options)));
  cache->reflector_ = Reflector::create(executor, client, "/api/v1/serviceaccounts", "", *cache,
                                        reflectorOptions, "serviceaccounts");
  return cache;
}

ServiceAccountCache::ServiceAccountCache(net::any_io_executor executor, ApiClient& client,
                                         ServiceAccountCacheOptions options)
    : executor_(std::move(executor)),
      client_(client),
      options_(std::move(options)),
      shards_(new Shard[kShards]) {}

ServiceAccountCache::~ServiceAccountCache() = default;

void ServiceAccountCache::start() {
  reflector_->start();
}
void ServiceAccountCache::stop() {
  reflector_->stop();
}
bool ServiceAccountCache::ready() const {
  return reflector_->synced();
}

ServiceAccountCache::Shard& ServiceAccountCache::shardFor(std::string_view key) const {
  return shards_[KeyHash{}(key) % kShards];
}

bool ServiceAccountCache::put(AccountMap& map, Ptr account) {
  auto it = map.find(account->key());
  if (it == map.end()) {
    const std::string_view key = account->key();
    map.emplace(key, std::move(account));
    return true;
  }
  // The old key views the old object: re-key the node before the old object goes.
  auto node = map.extract(it);
  node.key() = account->key();
  node.mapped() = std::move(account);
  map.insert(std::move(node));
  return false;
}

ServiceAccountLookup::Ptr ServiceAccountCache::find(std::string_view ns, std::string_view name) const {
  const LookupKey key(ns, name);
  Shard& shard = shardFor(key.view());
  std::lock_guard lock(shard.mutex);
  auto it = shard.accounts.find(key.view());
  return it == shard.accounts.end() ? nullptr : it->second;
}

void ServiceAccountCache::forEach(const std::function<void(const webhook::ServiceAccount&)>& visit) const {
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mutex);
    for (const auto& [key, account] : shards_[i].accounts)
      visit(*account);
  }
}

void ServiceAccountCache::clear() {
  for (std::size_t i = 0; i < kShards; ++i) {
    AccountMap dropped;  // freed after the lock is released
    std::lock_guard lock(shards_[i].mutex);
    size_.fetch_sub(shards_[i].accounts.size(), std::memory_order_relaxed);
    dropped.swap(shards_[i].accounts);
  }
  reflector_->relist();
}

void ServiceAccountCache::lookup(std::string_view ns, std::string_view name,
                                 std::chrono::steady_clock::time_point deadline, Callback done) {
  const LookupKey lookupKey(ns, name);
  Shard& shard = shardFor(lookupKey.view());
  WaiterPtr waiter;
  std::string key;  // only a waiting lookup needs its own copy
  {
    std::unique_lock lock(shard.mutex);
    if (auto it = shard.accounts.find(lookupKey.view()); it != shard.accounts.end()) {
      Ptr account = it->second;
      lock.unlock();  // the callback plans and answers the request: not under the lock
      ++lookupStats_.hit;
      done(std::move(account));
      return;
    }
    // Invalid names can never appear (and must not reach a URL): no wait.
    if (deadline > options_.clock->now() && isValidObjectName(ns) && isValidObjectName(name)) {
      waiter = std::make_shared<Waiter>(*options_.clock, executor_);
      waiter->callback = std::move(done);
      key = std::string(lookupKey.view());
      shard.waiters[key].push_back(waiter);
    } else {
      lock.unlock();
      ++lookupStats_.miss;
      done(nullptr);
      return;
    }
  }
  // A watch event may have completed (and cancelled) it already: then the
  // alarm never fires.
  waiter->alarm->arm(deadline, [self = shared_from_this(), waiter, key] { self->onDeadline(key, waiter); });
  if (!waiter->done.load()) directGet(std::string(ns), std::string(name), deadline);
}

void ServiceAccountCache::complete(const WaiterPtr& waiter, Ptr account,
                                   std::atomic<std::uint64_t>& outcome) {
  if (waiter->done.exchange(true)) return;
  ++outcome;
  waiter->alarm->cancel();
  waiter->callback(std::move(account));
}

void ServiceAccountCache::onDeadline(const std::string& key, const WaiterPtr& waiter) {
  Shard& shard = shardFor(key);
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.waiters.find(key);
    if (it != shard.waiters.end()) {
      auto& list = it->second;
      std::erase(list, waiter);
      if (list.empty()) shard.waiters.erase(it);
    }
  }
  complete(waiter, nullptr, lookupStats_.miss);
}

void ServiceAccountCache::upsert(const Ptr& account) {
  const std::string_view key = account->key();
  Shard& shard = shardFor(key);
  std::vector<WaiterPtr> waiting;
  {
    std::lock_guard lock(shard.mutex);
    if (put(shard.accounts, account)) size_.fetch_add(1, std::memory_order_relaxed);
    if (auto w = shard.waiters.find(key); w != shard.waiters.end()) {
      waiting = std::move(w->second);
      shard.waiters.erase(w);
    }
  }
  for (const auto& waiter : waiting) {
    complete(waiter, account, lookupStats_.waitedHit);
  }
}

void ServiceAccountCache::remove(std::string_view key) {
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  if (shard.accounts.erase(key) > 0) size_.fetch_sub(1, std::memory_order_relaxed);
}

void ServiceAccountCache::onListStart() {
  staged_.clear();
}

void ServiceAccountCache::onListItem(const rapidjson::Value& object) {
  auto account = serviceAccountFromObject(object, options_.annotationPrefix);
  if (!account) {
    util::Log::warn("ServiceAccount ignored", {{"err", account.error()}});
    return;
  }
  staged_.push_back(std::make_shared<const webhook::ServiceAccount>(std::move(*account)));
}

void ServiceAccountCache::onListAborted() {
  staged_.clear();
}

void ServiceAccountCache::onListDone() {
  // Swap shard by shard: requests keep reading a complete (old or new) view
  // of each ServiceAccount, and the old cache served while the list ran.
  std::vector<AccountMap> fresh(kShards);
  for (auto& account : staged_) {
    const std::size_t index = KeyHash{}(account->key()) % kShards;
    put(fresh[index], std::move(account));
  }
  staged_.clear();
  staged_.shrink_to_fit();
  std::size_t total = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    std::vector<std::pair<WaiterPtr, Ptr>> satisfied;
    {
      std::lock_guard lock(shard.mutex);
      shard.accounts.swap(fresh[i]);
      total += shard.accounts.size();
      for (auto it = shard.waiters.begin(); it != shard.waiters.end();) {
        auto found = shard.accounts.find(it->first);
        if (found == shard.accounts.end()) {
          ++it;
          continue;
        }
        for (auto& w : it->second)
          satisfied.emplace_back(std::move(w), found->second);
        it = shard.waiters.erase(it);
      }
    }
    fresh[i].clear();  // the old map is freed outside the lock
    for (auto& [waiter, account] : satisfied)
      complete(waiter, account, lookupStats_.waitedHit);
  }
  size_.store(total, std::memory_order_relaxed);
  util::Log::info("ServiceAccount cache synced", {{"count", total}});
}

void ServiceAccountCache::onEvent(EventType type, const rapidjson::Value& object) {
  auto account = serviceAccountFromObject(object, options_.annotationPrefix);
  if (!account) {
    util::Log::warn("ServiceAccount ignored", {{"err", account.error()}});
    return;
  }
  if (type == EventType::kDeleted) {
    remove(account->key());
  } else {
    upsert(std::make_shared<const webhook::ServiceAccount>(std::move(*account)));
  }
}

void ServiceAccountCache::directGet(const std::string& ns, const std::string& name,
                                    std::chrono::steady_clock::time_point deadline) {
  const std::string key = makeKey(ns, name);
  {
    std::lock_guard lock(getsMutex_);
    if (getsInFlight_.count(key) > 0 || getsInFlight_.size() >= options_.maxConcurrentGets) return;
    getsInFlight_.insert(key);
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - options_.clock->now());
  const auto timeout = std::max(std::chrono::milliseconds(1), std::min(left, options_.getTimeout));
  client_.get("/api/v1/namespaces/" + ns + "/serviceaccounts/" + name, timeout, RateLimit::kSkipIfLimited,
              [self = shared_from_this(), key](util::Result<ApiResponse> response) {
                self->onDirectGet(key, std::move(response));
              });
}

void ServiceAccountCache::onDirectGet(const std::string& key, util::Result<ApiResponse> response) {
  {
    std::lock_guard lock(getsMutex_);
    getsInFlight_.erase(key);
  }
  if (!response || response->status != 200) return;  // the waiters keep waiting for the watch
  rapidjson::Document doc;
  if (!webhook::parseJsonInsitu(doc, response->body.data(), webhook::kDefaultMaxJsonDepth)) return;
  auto account = serviceAccountFromObject(doc, options_.annotationPrefix);
  if (!account) return;
  // Answer the waiters, but leave the cache to the watch: a GET reply can be
  // older than a DELETE the watch already applied.
  Ptr found = std::make_shared<const webhook::ServiceAccount>(std::move(*account));
  Shard& shard = shardFor(key);
  std::vector<WaiterPtr> waiting;
  {
    std::lock_guard lock(shard.mutex);
    if (auto w = shard.waiters.find(key); w != shard.waiters.end()) {
      waiting = std::move(w->second);
      shard.waiters.erase(w);
    }
  }
  for (const auto& waiter : waiting)
    complete(waiter, found, lookupStats_.apiHit);
}

}  // namespace irsa::kube
