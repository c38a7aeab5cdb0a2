#include "server/ConnectionTracker.hpp"

#include <vector>

namespace irsa::server {

std::uint64_t ConnectionTracker::add(std::weak_ptr<Drainable> connection, std::size_t limit) {
  std::lock_guard lock(mutex_);
  // Accepted in the gap before the listener closed: refuse, or it would
  // never be drained.
  if (connections_.size() >= limit || draining_.load(std::memory_order_acquire)) return 0;
  const std::uint64_t id = nextId_++;
  connections_.emplace(id, std::move(connection));
  active_.store(connections_.size(), std::memory_order_relaxed);
  return id;
}

void ConnectionTracker::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
  active_.store(connections_.size(), std::memory_order_relaxed);
}

void ConnectionTracker::drainAll() {
  std::vector<std::shared_ptr<Drainable>> live;
  {
    std::lock_guard lock(mutex_);
    closing_.store(true, std::memory_order_release);
    draining_.store(true, std::memory_order_release);
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  // Outside the lock: drain() posts to each connection's strand.
  for (auto& c : live)
    c->drain();
}

}  // namespace irsa::server
