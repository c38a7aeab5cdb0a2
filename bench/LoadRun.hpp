#pragma once
// A measured run: loads the corpus and the TLS context once (a saturation
// search reuses them for every step), then per execute() opens the
// connections, fixes the clock (start, warmup end, window end), runs one
// LoadGenerator per thread, samples the server process at the window's
// start and end, and merges the threads' counts.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "bench/LoadConfig.hpp"
#include "bench/ProcessStats.hpp"
#include "bench/RequestCorpus.hpp"
#include "bench/RunStats.hpp"
#include "util/Result.hpp"

namespace irsa::bench {

struct RunResult {
  RunStats stats;
  double elapsedSeconds{0};    // from the window's start to its end or the last answer, if later
  double achievedRate{0};      // answered requests (any status) per elapsed second
  double completedSeconds{0};  // from the window's start to the last answer
  std::optional<ProcessSample> serverStart;
  std::optional<ProcessSample> serverEnd;
  double clientCpuSeconds{0};
  std::size_t setupConnectFailures{0};
  std::string lastError;  // the last error any connection saw, for the log
};

class LoadRun {
 public:
  static util::Result<std::unique_ptr<LoadRun>> create(const LoadConfig& config);

  // `config` must have the url, corpus, TLS and connection mode given to
  // create(); rate, duration, warmup and request count may differ.
  util::Result<RunResult> execute(const LoadConfig& config);

  const RequestCorpus& corpus() const { return corpus_; }

 private:
  LoadRun(RequestCorpus corpus, std::unique_ptr<boost::asio::ssl::context> tls,
          boost::asio::ip::tcp::resolver::results_type endpoints);

  RequestCorpus corpus_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  boost::asio::ip::tcp::resolver::results_type endpoints_;
};

}  // namespace irsa::bench
