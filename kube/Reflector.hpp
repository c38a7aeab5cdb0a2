#pragma once
// LIST then WATCH of one resource collection, kept in sync forever
// (client-go's reflector, reduced to what we need):
//
//   list (paginated: limit/continue) -> handler.onListDone(rv)
//   watch ?resourceVersion=rv&allowWatchBookmarks=true -> handler.onEvent(...)
//   clean end of a watch      -> watch again from the last resourceVersion
//   410 Gone / expired        -> relist
//   any other error           -> back off (exponential, jittered), then
//                                watch again, or relist if the watch failed
//                                too often
//   a 410 ERROR event relists after the backoff too; the backoff grows until
//   a watch delivers an event, so repeated 410s cannot make a list loop
//
// All state lives on one strand; the handler is called on it, never
// concurrently with itself.

#include <rapidjson/document.h>

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "kube/ApiClient.hpp"

namespace irsa::kube {

class ReflectorHandler {
 public:
  virtual ~ReflectorHandler() = default;
  // A full list begins; items follow page by page, then onListDone.
  virtual void onListStart() = 0;
  virtual void onListItem(const rapidjson::Value& object) = 0;
  virtual void onListDone() = 0;
  // A relist failed part-way: drop what onListItem staged.
  virtual void onListAborted() = 0;
  enum class EventType { kAdded, kModified, kDeleted };
  virtual void onEvent(EventType type, const rapidjson::Value& object) = 0;
};

struct ReflectorOptions {
  std::size_t pageSize{500};
  std::chrono::milliseconds requestTimeout{std::chrono::seconds(60)};
  // Server-side watch timeout, randomised in [min, 2*min] like client-go.
  std::chrono::seconds watchTimeoutMin{std::chrono::minutes(5)};
  // A watch that sends nothing (not even a bookmark) for this long is dead.
  std::chrono::milliseconds watchIdleTimeout{std::chrono::minutes(2)};
  std::chrono::milliseconds backoffMin{std::chrono::milliseconds(200)};
  std::chrono::milliseconds backoffMax{std::chrono::seconds(30)};
  std::size_t maxJsonDepth{100};
};

struct ReflectorStats {
  std::atomic<std::uint64_t> lists{0};          // full lists completed
  std::atomic<std::uint64_t> relists{0};        // lists after the first
  std::atomic<std::uint64_t> watchRestarts{0};  // watches opened after the first
  std::atomic<std::uint64_t> errors{0};
};

class Reflector : public std::enable_shared_from_this<Reflector> {
 public:
  // `collectionPath` e.g. "/api/v1/serviceaccounts"; `selector` an extra
  // query such as "fieldSelector=metadata.name%3Dx" (may be empty).
  static std::shared_ptr<Reflector> create(const boost::asio::any_io_executor& executor, ApiClient& client,
                                           std::string collectionPath, std::string selector,
                                           ReflectorHandler& handler, ReflectorOptions options,
                                           std::string name);

  void start();
  void stop();  // thread-safe; no handler call starts after it
  // Thread-safe: drops the watch and lists again from scratch (unless a list
  // is running already, whose result is as fresh).
  void relist();
  const ReflectorStats& stats() const { return stats_; }
  bool synced() const { return synced_.load(std::memory_order_acquire); }

 private:
  Reflector(const boost::asio::any_io_executor& executor, ApiClient& client, std::string collectionPath,
            std::string selector, ReflectorHandler& handler, ReflectorOptions options, std::string name);

  void list(const std::string& continueToken);
  void onListPage(util::Result<ApiResponse> response);
  void watch();
  void onWatchLine(std::string_view line);
  void onWatchClosed(const util::Status& status);
  void retryLater(bool relist);
  std::string query(std::initializer_list<std::string> parts) const;
  std::chrono::milliseconds nextBackoff();

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  ApiClient& client_;
  const std::string collectionPath_;
  const std::string selector_;
  ReflectorHandler& handler_;
  const ReflectorOptions options_;
  const std::string name_;
  boost::asio::steady_timer retryTimer_;
  std::mt19937_64 random_{std::random_device{}()};

  // Strand-only state.
  bool stopped_{false};
  bool listing_{false};
  std::string resourceVersion_;
  std::shared_ptr<ApiClient::Stream> stream_;
  std::uint64_t streamGeneration_{0};
  std::uint64_t retryGeneration_{0};  // a relist() voids a retry already due
  bool relistNeeded_{false};
  int consecutiveFailures_{0};  // since the last good list or watch event: when to relist
  // Failures since a watch last delivered an event: the backoff's exponent.
  // A good list does not reset it, so a loop of list, watch, 410 (or a watch
  // that fails at once) backs off further each round instead of listing the
  // whole collection again every 200 ms.
  int backoffSteps_{0};
  bool watchedOnce_{false};
  std::chrono::steady_clock::time_point watchStarted_;
  bool watchSawEvent_{false};

  ReflectorStats stats_;
  std::atomic<bool> synced_{false};
};

}  // namespace irsa::kube
