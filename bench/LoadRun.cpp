#include "bench/LoadRun.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

#include "bench/LoadGenerator.hpp"

namespace irsa::bench {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Threads start together a little after the plan is fixed.
constexpr auto kStartMargin = std::chrono::milliseconds(5);

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

RunPlan makePlan(const LoadConfig& config, Clock::time_point start) {
  RunPlan plan;
  plan.start = start;
  plan.warmupEnd = start + config.warmup;
  plan.windowEnd = plan.warmupEnd + config.duration;
  if (config.openLoop()) {
    plan.schedule.emplace(start, config.rate);
    plan.firstMeasured = plan.schedule->firstAtOrAfter(plan.warmupEnd);
    plan.endIndex = config.requests > 0 ? plan.firstMeasured + config.requests
                                        : plan.schedule->firstAtOrAfter(plan.windowEnd);
    if (config.requests > 0) plan.windowEnd = plan.schedule->at(plan.endIndex);
    plan.drainDeadline = plan.windowEnd + config.timeout;
  } else if (config.requests > 0) {
    plan.windowEnd = plan.warmupEnd;  // the window lasts until the last answer
  }
  return plan;
}

// Thread i's share of `total`, spread like the connections.
std::uint64_t share(std::uint64_t total, std::size_t i, std::size_t n) {
  return total / n + (i < total % n ? 1 : 0);
}

}  // namespace

LoadRun::LoadRun(RequestCorpus corpus, std::unique_ptr<net::ssl::context> tls,
                 net::ip::tcp::resolver::results_type endpoints)
    : corpus_(std::move(corpus)), tls_(std::move(tls)), endpoints_(std::move(endpoints)) {}

util::Result<std::unique_ptr<LoadRun>> LoadRun::create(const LoadConfig& config) {
  auto corpus = RequestCorpus::load(config.corpusDir, config.url, config.newConnectionPerRequest);
  if (!corpus) return std::move(corpus).failure();
  auto tls = makeClientTlsContext(config.tls);
  if (!tls) return std::move(tls).failure();
  net::io_context ioc;
  net::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(config.url.host, config.url.port, ec);
  if (ec) return util::fail("cannot resolve " + config.url.host + ": " + ec.message());
  return std::unique_ptr<LoadRun>(new LoadRun(std::move(*corpus), std::move(*tls), std::move(endpoints)));
}

util::Result<RunResult> LoadRun::execute(const LoadConfig& config) {
  RunResult result;
  const ConnectTarget target{config.url, config.tls, endpoints_};
  const std::size_t threads = std::max<std::size_t>(1, std::min(config.threads, config.connections));
  std::vector<std::unique_ptr<LoadGenerator>> generators;
  for (std::size_t i = 0; i < threads; ++i) {
    generators.push_back(std::make_unique<LoadGenerator>(config, corpus_, *tls_, target, i, threads,
                                                         share(config.connections, i, threads)));
  }
  if (!config.newConnectionPerRequest) {
    for (auto& g : generators)
      result.setupConnectFailures += g->openAll();
    if (result.setupConnectFailures == config.connections) {
      return util::fail("cannot connect to " + config.url.text + ": " + generators.front()->lastError());
    }
  }

  const Clock::time_point start = Clock::now() + kStartMargin;
  RunPlan plan = makePlan(config, start);
  std::vector<std::thread> workers;
  for (std::size_t i = 0; i < threads; ++i) {
    RunPlan mine = plan;
    if (!config.openLoop() && config.requests > 0) mine.quota = share(config.requests, i, threads);
    workers.emplace_back([&g = *generators[i], mine] { g.run(mine); });
  }
  // The window opens after the warmup; the samples bracket it.
  std::this_thread::sleep_until(plan.warmupEnd);
  const double clientStart = selfCpuSeconds();
  if (config.serverPid != 0) {
    auto sample = sampleProcess(config.serverPid);
    if (sample) result.serverStart = *sample;
  }
  for (auto& w : workers)
    w.join();
  if (config.serverPid != 0) {
    auto sample = sampleProcess(config.serverPid);
    if (sample) result.serverEnd = *sample;
  }
  result.clientCpuSeconds = selfCpuSeconds() - clientStart;

  for (auto& g : generators) {
    result.stats.merge(g->stats());
    if (!g->lastError().empty()) result.lastError = g->lastError();
  }
  const auto& stats = result.stats;
  const Clock::time_point end = std::max(plan.windowEnd, stats.lastCompletion);
  result.elapsedSeconds = seconds(end - plan.warmupEnd);
  result.completedSeconds = stats.requests > 0 ? seconds(stats.lastCompletion - plan.warmupEnd) : 0;
  const std::uint64_t answered = stats.ok + stats.non2xx + stats.invalid;
  result.achievedRate = result.elapsedSeconds > 0 ? static_cast<double>(answered) / result.elapsedSeconds : 0;
  return result;
}

}  // namespace irsa::bench
