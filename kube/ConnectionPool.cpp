#include "kube/ConnectionPool.hpp"

#include <boost/asio/post.hpp>
#include <vector>

namespace irsa::kube {
namespace {

// Closing touches the socket, so it happens on the connection's strand and
// outside the pool's lock.
void closeLater(std::vector<std::shared_ptr<KubeConnection>> conns) {
  for (auto& conn : conns) {
    auto ex = conn->executor();
    boost::asio::post(ex, [conn = std::move(conn)] { conn->close(); });
  }
}

}  // namespace

std::shared_ptr<KubeConnection> ConnectionPool::take(Clock::time_point now) {
  std::vector<std::shared_ptr<KubeConnection>> dead;
  std::shared_ptr<KubeConnection> found;
  while (!found) {
    std::shared_ptr<KubeConnection> conn;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) break;
      conn = std::move(idle_.front());
      idle_.pop_front();
    }
    // looksAlive() is a recv(MSG_PEEK) syscall: done outside the lock.
    if (now - conn->idleSince <= idleTimeout_ && conn->looksAlive()) {
      found = std::move(conn);
    } else {
      dead.push_back(std::move(conn));
    }
  }
  closeLater(std::move(dead));
  return found;
}

void ConnectionPool::put(std::shared_ptr<KubeConnection> conn, Clock::time_point now) {
  std::vector<std::shared_ptr<KubeConnection>> dropped;
  conn->idleSince = now;
  {
    std::lock_guard lock(mutex_);
    idle_.push_front(std::move(conn));
    while (idle_.size() > maxIdle_) {
      dropped.push_back(std::move(idle_.back()));
      idle_.pop_back();
    }
  }
  closeLater(std::move(dropped));
}

void ConnectionPool::clear() {
  std::vector<std::shared_ptr<KubeConnection>> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& conn : idle_)
      all.push_back(std::move(conn));
    idle_.clear();
  }
  closeLater(std::move(all));
}

std::size_t ConnectionPool::idleCount() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace irsa::kube
