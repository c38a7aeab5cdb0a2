#include "bench/LoadGenerator.hpp"

#include <boost/asio/post.hpp>

namespace irsa::bench {

namespace {
// How often timeouts are checked: a timeout fires at most this late.
constexpr auto kWatchdogPeriod = std::chrono::milliseconds(20);
}  // namespace

LoadGenerator::LoadGenerator(const LoadConfig& config, const RequestCorpus& corpus,
                             boost::asio::ssl::context& tls, const ConnectTarget& target, std::size_t shard,
                             std::size_t shards, std::size_t connections)
    : config_(config), corpus_(corpus), shard_(shard), shards_(shards) {
  connections_.reserve(connections);
  idle_.reserve(connections);
  for (std::size_t i = 0; i < connections; ++i) {
    connections_.push_back(
        std::make_unique<LoadConnection>(ioc_, tls, target, *this, !config.newConnectionPerRequest));
    idle_.push_back(connections_.back().get());
  }
}

LoadGenerator::~LoadGenerator() = default;

std::size_t LoadGenerator::openAll() {
  const auto deadline = Clock::now() + config_.timeout;
  opening_ = connections_.size();
  for (auto& c : connections_)
    c->open(deadline);
  armWatchdog();
  ioc_.restart();
  ioc_.run();
  return openFailures_;
}

void LoadGenerator::onOpened(LoadConnection& connection, bool ok) {
  if (!ok) {
    ++openFailures_;
    lastError_ = "connect: " + connection.lastError();
  }
  if (--opening_ == 0) watchdog_.cancel();
}

void LoadGenerator::run(const RunPlan& plan) {
  plan_ = plan;
  running_ = true;
  if (plan_.schedule) {
    localEnd_ = plan_.endIndex > shard_ ? (plan_.endIndex - shard_ + shards_ - 1) / shards_ : 0;
    // Nothing is due before the start: wait for it like for any due time.
    timerArmed_ = true;
    timer_.expires_at(plan_.start);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      timerArmed_ = false;
      if (!ec) pump();
    });
  } else {
    timer_.expires_at(plan_.start);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) pump();
    });
  }
  armWatchdog();
  ioc_.restart();
  ioc_.run();
}

void LoadGenerator::pump() {
  const auto now = Clock::now();
  if (plan_.schedule) {
    pumpOpen(now);
  } else {
    pumpClosed(now);
  }
  maybeFinish(now);
}

void LoadGenerator::pumpOpen(Clock::time_point now) {
  const RateSchedule& schedule = *plan_.schedule;
  while (nextLocal_ < localEnd_ && !idle_.empty()) {
    const std::uint64_t g = global(nextLocal_);
    const auto due = schedule.at(g);
    if (due > now) break;
    LoadConnection* c = idle_.back();
    idle_.pop_back();
    ++nextLocal_;
    ++inFlight_;
    c->send({&corpus_.at(g), due, g >= plan_.firstMeasured}, now + config_.timeout);
  }
  // Queued requests wait for a completion, not for the timer.
  if (nextLocal_ < localEnd_ && !idle_.empty() && !timerArmed_) {
    timerArmed_ = true;
    timer_.expires_at(schedule.at(global(nextLocal_)));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      timerArmed_ = false;
      if (!ec) pump();
    });
  }
}

bool LoadGenerator::closedMayIssue(Clock::time_point now) const {
  if (plan_.quota) return measuredIssued_ < *plan_.quota;
  return now < plan_.windowEnd;
}

void LoadGenerator::pumpClosed(Clock::time_point now) {
  while (!idle_.empty() && closedMayIssue(now)) {
    const bool measured = now >= plan_.warmupEnd;
    if (measured) ++measuredIssued_;
    LoadConnection* c = idle_.back();
    idle_.pop_back();
    ++inFlight_;
    c->send({&corpus_.at(global(nextLocal_++)), now, measured}, now + config_.timeout);
  }
}

void LoadGenerator::onDone(LoadConnection& connection, const LoadConnection::Job& job,
                           const LoadConnection::Result& result) {
  --inFlight_;
  if (job.measured) {
    stats_.record(result.outcome, result.mutated, job.entry->kind, result.completedAt - job.origin,
                  result.completedAt);
    if (result.handshake) stats_.handshakes.record(*result.handshake);
  }
  if (result.outcome != Outcome::kOk && result.outcome != Outcome::kNon2xx &&
      result.outcome != Outcome::kInvalid) {
    lastError_ = connection.lastError();
  }
  idle_.push_back(&connection);
  if (!finished_) pump();
}

void LoadGenerator::maybeFinish(Clock::time_point now) {
  if (finished_ || inFlight_ > 0) return;
  const bool more = plan_.schedule ? nextLocal_ < localEnd_ : closedMayIssue(now);
  if (more) return;
  finished_ = true;
  timer_.cancel();
  watchdog_.cancel();
  for (auto& c : connections_)
    c->close();
}

void LoadGenerator::armWatchdog() {
  watchdog_.expires_after(kWatchdogPeriod);
  watchdog_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) onWatchdog();
  });
}

void LoadGenerator::onWatchdog() {
  const auto now = Clock::now();
  for (auto& c : connections_)
    c->expireIf(now);
  if (running_ && plan_.schedule && now >= plan_.drainDeadline && nextLocal_ < localEnd_) {
    // Still queued this long after the last due time: the server is not
    // keeping up. They count as timeouts; they are never sent.
    for (; nextLocal_ < localEnd_; ++nextLocal_) {
      const std::uint64_t g = global(nextLocal_);
      if (g >= plan_.firstMeasured) {
        stats_.record(Outcome::kTimeout, false, corpus_.at(g).kind, std::chrono::nanoseconds(0), now);
      }
    }
    lastError_ = "requests still queued at the drain deadline";
    maybeFinish(now);
  }
  if (!finished_ && (running_ || opening_ > 0)) armWatchdog();
}

}  // namespace irsa::bench
