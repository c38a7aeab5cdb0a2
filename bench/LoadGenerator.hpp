#pragma once
// One load thread: an io_context, its share of the connections and its share
// of the requests, and its own RunStats. A run with --threads T has T of
// them, each taking every T-th request of the global schedule, so they share
// nothing while running.
//
// Open loop: request g is due at schedule.at(g) whether or not a connection
// is free; it waits (queued, in order) for an idle connection and its latency
// counts from the due time. Closed loop: each connection sends its next
// request as soon as the previous answer arrived.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/LoadConfig.hpp"
#include "bench/LoadConnection.hpp"
#include "bench/RateSchedule.hpp"
#include "bench/RequestCorpus.hpp"
#include "bench/RunStats.hpp"

namespace irsa::bench {

// The clock of a run, the same for every thread.
struct RunPlan {
  using Clock = std::chrono::steady_clock;
  Clock::time_point start;
  Clock::time_point warmupEnd;           // requests due (open) or sent (closed) before it are not measured
  Clock::time_point windowEnd;           // duration runs: nothing is sent (closed) or due (open) after it
  Clock::time_point drainDeadline;       // open loop: requests still queued then end as timeouts
  std::optional<RateSchedule> schedule;  // open loop
  std::uint64_t firstMeasured{0};        // open loop: global indices [firstMeasured, endIndex)
  std::uint64_t endIndex{0};
  std::optional<std::uint64_t> quota;  // closed loop with --requests: measured requests of this thread
};

class LoadGenerator final : public LoadConnection::Listener {
 public:
  using Clock = std::chrono::steady_clock;

  LoadGenerator(const LoadConfig& config, const RequestCorpus& corpus, boost::asio::ssl::context& tls,
                const ConnectTarget& target, std::size_t shard, std::size_t shards, std::size_t connections);
  ~LoadGenerator() override;

  // Keep-alive runs: opens every connection before the clock starts.
  // Returns how many failed (they retry on their first request).
  std::size_t openAll();
  // Runs this thread's part of `plan` to the end.
  void run(const RunPlan& plan);

  const RunStats& stats() const { return stats_; }
  const std::string& lastError() const { return lastError_; }

 private:
  void onOpened(LoadConnection& connection, bool ok) override;
  void onDone(LoadConnection& connection, const LoadConnection::Job& job,
              const LoadConnection::Result& result) override;
  void pump();
  void pumpOpen(Clock::time_point now);
  void pumpClosed(Clock::time_point now);
  bool closedMayIssue(Clock::time_point now) const;
  void armWatchdog();
  void onWatchdog();
  void maybeFinish(Clock::time_point now);
  std::uint64_t global(std::uint64_t local) const { return shard_ + local * shards_; }

  const LoadConfig& config_;
  const RequestCorpus& corpus_;
  const std::size_t shard_;
  const std::size_t shards_;
  boost::asio::io_context ioc_{1};
  boost::asio::steady_timer timer_{ioc_};     // next due request (open loop)
  boost::asio::steady_timer watchdog_{ioc_};  // timeouts and the drain deadline
  std::vector<std::unique_ptr<LoadConnection>> connections_;
  std::vector<LoadConnection*> idle_;

  RunPlan plan_;
  std::uint64_t nextLocal_{0};
  std::uint64_t localEnd_{0};  // open loop
  std::uint64_t measuredIssued_{0};
  std::size_t inFlight_{0};
  std::size_t opening_{0};
  std::size_t openFailures_{0};
  bool timerArmed_{false};
  bool running_{false};
  bool finished_{false};
  RunStats stats_;
  std::string lastError_;
};

}  // namespace irsa::bench
