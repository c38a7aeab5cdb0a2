#pragma once
// The cluster's ServiceAccounts, kept by a Reflector (LIST + WATCH), for the
// admission path. Reads take one shard lock for a hash lookup; nothing does
// I/O under a lock.
//
// The ServiceAccount race: a pod may arrive before the watch delivers its
// just-created ServiceAccount. lookup() then waits asynchronously (a timer,
// never a blocked thread) until the watch delivers it or the deadline, and
// meanwhile issues one de-duplicated, concurrency-bounded direct GET that
// never queues behind the client's rate limiter.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kube/ApiClient.hpp"
#include "kube/DeadlineClock.hpp"
#include "kube/Reflector.hpp"
#include "kube/ServiceAccountLookup.hpp"
#include "webhook/Annotations.hpp"

namespace irsa::kube {

struct ServiceAccountCacheOptions {
  std::string annotationPrefix{webhook::kDefaultAnnotationPrefix};
  std::size_t maxConcurrentGets{8};
  std::chrono::milliseconds getTimeout{std::chrono::seconds(2)};
  // What lookup deadlines are measured against; tests drive a manual one.
  // Not owned: it must outlive the cache (the steady one lives forever).
  const DeadlineClock* clock{&steadyDeadlineClock()};
};

struct LookupStats {
  std::atomic<std::uint64_t> hit{0};        // in the cache at once
  std::atomic<std::uint64_t> waitedHit{0};  // delivered by the watch while waiting
  std::atomic<std::uint64_t> apiHit{0};     // found by the direct GET
  std::atomic<std::uint64_t> miss{0};       // still absent at the deadline
};

class ServiceAccountCache final : public ServiceAccountLookup,
                                  public ReflectorHandler,
                                  public std::enable_shared_from_this<ServiceAccountCache> {
 public:
  static std::shared_ptr<ServiceAccountCache> create(const boost::asio::any_io_executor& executor,
                                                     ApiClient& client, ServiceAccountCacheOptions options,
                                                     ReflectorOptions reflectorOptions);
  ~ServiceAccountCache() override;

  void start();
  void stop();

  Ptr find(std::string_view ns, std::string_view name) const override;
  void lookup(std::string_view ns, std::string_view name, std::chrono::steady_clock::time_point deadline,
              Callback done) override;
  bool ready() const override;
  std::size_t size() const override { return size_.load(std::memory_order_relaxed); }
  void forEach(const std::function<void(const webhook::ServiceAccount&)>& visit) const override;
  // Empties the cache, then relists: lookups meanwhile wait or GET as for
  // any ServiceAccount not yet seen.
  void clear() override;

  const LookupStats& lookupStats() const { return lookupStats_; }
  const ReflectorStats& reflectorStats() const { return reflector_->stats(); }

  // ReflectorHandler: called on the reflector's strand.
  void onListStart() override;
  void onListItem(const rapidjson::Value& object) override;
  void onListDone() override;
  void onListAborted() override;
  void onEvent(EventType type, const rapidjson::Value& object) override;

 private:
  struct Waiter;
  using WaiterPtr = std::shared_ptr<Waiter>;
  // Hashes std::string and std::string_view alike, so maps keyed by either
  // are searched with a view (no key string built per request).
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  // Keyed by views of the ServiceAccount's own "ns/name" (the mapped value
  // keeps them alive): no second copy of the key per ServiceAccount.
  using AccountMap = std::unordered_map<std::string_view, Ptr, KeyHash>;
  struct Shard {
    mutable std::mutex mutex;
    AccountMap accounts;  // guarded by mutex
    std::unordered_map<std::string, std::vector<WaiterPtr>, KeyHash, std::equal_to<>>
        waiters;  // guarded by mutex
  };
  static constexpr std::size_t kShards = 64;

  ServiceAccountCache(boost::asio::any_io_executor executor, ApiClient& client,
                      ServiceAccountCacheOptions options);
  Shard& shardFor(std::string_view key) const;
  // Inserts or replaces (re-keyed to the new object); true when inserted.
  static bool put(AccountMap& map, Ptr account);
  void upsert(const Ptr& account);  // from the watch: completes waiters
  void remove(std::string_view key);
  void complete(const WaiterPtr& waiter, Ptr account, std::atomic<std::uint64_t>& outcome);
  void onDeadline(const std::string& key, const WaiterPtr& waiter);
  void directGet(const std::string& ns, const std::string& name,
                 std::chrono::steady_clock::time_point deadline);
  void onDirectGet(const std::string& key, util::Result<ApiResponse> response);

  boost::asio::any_io_executor executor_;
  ApiClient& client_;
  const ServiceAccountCacheOptions options_;
  std::shared_ptr<Reflector> reflector_;
  mutable std::unique_ptr<Shard[]> shards_;
  std::atomic<std::size_t> size_{0};
  LookupStats lookupStats_;

  std::vector<Ptr> staged_;  // reflector strand only: the list being read

  std::mutex getsMutex_;
  std::unordered_set<std::string> getsInFlight_;  // guarded by getsMutex_
};

}  // namespace irsa::kube
