#pragma once
// Knows every open connection so that --max-connections can be enforced at
// accept and a SIGTERM drain can reach idle keep-alive connections. A
// shutdown has two steps: closeAfterEachResponse() at the signal (keep
// serving, but let no connection be kept alive), drainAll() once the
// shutdown delay is over.
//
// At the limit, a new connection takes the place of the oldest one that has
// not begun a request yet (in its TLS handshake, or before the end of its
// first request's header), rather than being refused: connections that send
// nothing, or their header a byte at a time, would otherwise hold every slot
// for their timeouts and lock out the apiserver and the kubelet's probes.
// Oldest first, so that each connection has (limit / rate of new
// connections) to send its request: a flood evicts its own. Connections that
// have begun a request, or answered one, are never evicted: that would lose
// a request, or race the apiserver reusing a pooled connection.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

namespace irsa::server {

// Draining, how long a connection that has answered nothing yet gets to send
// its first request before a second drainAll() closes it: a client opens a
// connection to send a request at once, and closing it under that request
// would lose it (kube-apiserver does not retry an admission POST).
inline constexpr std::chrono::milliseconds kDrainFirstRequestWindow{1000};

class TrackedConnection {
 public:
  virtual ~TrackedConnection() = default;
  // Called from any thread: finish the request in flight, if any, answer it
  // with `Connection: close`, then close; close at once when idle and it has
  // answered a request before, or on a second call.
  virtual void drain() = 0;
  // Called from any thread, once: close at once unless a request has begun
  // meanwhile (then it is answered, and the limit is exceeded by one until
  // the connection ends).
  virtual void evict() = 0;
};

class ConnectionTracker {
 public:
  struct Admission {
    std::uint64_t id{0};  // 0: refused (every slot busy with a request, or the server drains)
    bool evicted{false};  // the oldest connection without a request was closed to make room
  };

  // Registers a new connection, which counts as not having begun a request.
  Admission add(std::weak_ptr<TrackedConnection> connection, std::size_t limit);
  // The connection has begun a request: it is not evicted from now on.
  void beganRequest(std::uint64_t id);
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
  std::unordered_map<std::uint64_t, std::weak_ptr<TrackedConnection>> connections_;  // guarded by mutex_
  // Ids grow with time, so a set of them is in age order, oldest first.
  std::set<std::uint64_t> withoutRequest_;  // guarded by mutex_: evictable
  std::set<std::uint64_t> evicted_;         // guarded by mutex_: told to close, not gone yet
  std::uint64_t nextId_{1};                 // guarded by mutex_
  std::atomic<std::size_t> active_{0};
  std::atomic<bool> closing_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace irsa::server
