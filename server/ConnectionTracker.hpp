#pragma once
// Knows every open connection so that --max-connections can be enforced at
// accept and a SIGTERM drain can reach idle keep-alive connections. A
// shutdown has two steps: closeAfterEachResponse() at the signal (keep
// serving, but let no connection be kept alive), drainAll() once the
// shutdown delay is over.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace irsa::server {

// Draining, how long a connection that has answered nothing yet gets to send
// its first request before a second drainAll() closes it: a client opens a
// connection to send a request at once, and closing it under that request
// would lose it (kube-apiserver does not retry an admission POST).
inline constexpr std::chrono::milliseconds kDrainFirstRequestWindow{1000};

class Drainable {
 public:
  virtual ~Drainable() = default;
  // Called from any thread: finish the request in flight, if any, answer it
  // with `Connection: close`, then close; close at once when idle and it has
  // answered a request before, or on a second call.
  virtual void drain() = 0;
};

class ConnectionTracker {
 public:
  // Returns 0 when the limit is reached or the server drains (the
  // connection must be refused).
  std::uint64_t add(std::weak_ptr<Drainable> connection, std::size_t limit);
  void remove(std::uint64_t id);
  std::size_t active() const { return active_.load(std::memory_order_relaxed); }

  // From now on every response carries `Connection: close`, on the
  // connections open now and those accepted later. Idle connections stay
  // open: only the client can close one without racing a request it is
  // sending, and it does once it reads that header.
  void closeAfterEachResponse() { closing_.store(true, std::memory_order_release); }
  bool closingAfterEachResponse() const { return closing_.load(std::memory_order_acquire); }

  // Marks the server as draining and tells every open connection (again on
  // a second call: see kDrainFirstRequestWindow).
  void drainAll();
  bool draining() const { return draining_.load(std::memory_order_acquire); }

 private:
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Drainable>> connections_;  // guarded by mutex_
  std::uint64_t nextId_{1};                                                  // guarded by mutex_
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> closing_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace irsa::server
