#pragma once
// Idle keep-alive connections to the API server, newest first. At most
// `maxIdle` are kept (the oldest is dropped), and one idle for longer than
// `idleTimeout` is not reused: API servers and load balancers close quiet
// connections, and a request on a dead one costs a retry.

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "kube/KubeConnection.hpp"

namespace irsa::kube {

class ConnectionPool {
 public:
  using Clock = std::chrono::steady_clock;

  ConnectionPool(std::size_t maxIdle, std::chrono::milliseconds idleTimeout)
      : maxIdle_(maxIdle), idleTimeout_(idleTimeout) {}

  // An idle connection that still looks alive, or nullptr. Thread-safe.
  std::shared_ptr<KubeConnection> take(Clock::time_point now = Clock::now());

  // Parks a connection whose last response was read completely. Call it on
  // the connection's strand, with no operation pending. Thread-safe.
  void put(std::shared_ptr<KubeConnection> conn, Clock::time_point now = Clock::now());

  // Drops every idle connection (the client is going away).
  void clear();

  std::size_t idleCount() const;

 private:
  const std::size_t maxIdle_;
  const std::chrono::milliseconds idleTimeout_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<KubeConnection>> idle_;  // guarded by mutex_; front = newest
};

}  // namespace irsa::kube
