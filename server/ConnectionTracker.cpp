#include "server/ConnectionTracker.hpp"

#include <vector>

namespace irsa::server {

ConnectionTracker::Admission ConnectionTracker::add(std::weak_ptr<TrackedConnection> connection,
                                                    std::size_t limit) {
  std::shared_ptr<TrackedConnection> victim;
  Admission admission;
  {
    std::lock_guard lock(mutex_);
    // Accepted in the gap before the listener closed: refuse, or it would
    // never be drained.
    if (draining_.load(std::memory_order_acquire)) return {};
    // Evicted connections still open are not counted: they close at once.
    if (connections_.size() - evicted_.size() >= limit) {
      if (withoutRequest_.empty()) return {};
      const std::uint64_t oldest = *withoutRequest_.begin();
      withoutRequest_.erase(withoutRequest_.begin());
      evicted_.insert(oldest);
      victim = connections_[oldest].lock();
      admission.evicted = true;
    }
    admission.id = nextId_++;
    connections_.emplace(admission.id, std::move(connection));
    withoutRequest_.insert(admission.id);
    active_.store(connections_.size(), std::memory_order_relaxed);
  }
  // Outside the lock: evict() posts to the victim's strand.
  if (victim) victim->evict();
  return admission;
}

void ConnectionTracker::beganRequest(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  withoutRequest_.erase(id);
}

void ConnectionTracker::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  connections_.erase(id);
  withoutRequest_.erase(id);
  evicted_.erase(id);
  active_.store(connections_.size(), std::memory_order_relaxed);
}

void ConnectionTracker::drainAll() {
  std::vector<std::shared_ptr<TrackedConnection>> live;
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
