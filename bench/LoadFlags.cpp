#include "bench/LoadFlags.hpp"

#include <filesystem>
#include <fstream>

#include "bench/CorpusFiles.hpp"
#include "bench/ProcessStats.hpp"

namespace irsa::bench {
namespace {

constexpr std::size_t kMaxConnections = 10000;
constexpr std::size_t kMaxThreads = 64;
constexpr double kMaxRate = 10'000'000;

// Fails early, before a long run, when an output could not be written.
util::Status checkOutputPath(const std::string& flag, const std::string& path) {
  if (path.empty()) return util::okStatus();
  const auto parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
    return util::fail("--" + flag + " " + path + ": directory " + parent.string() + " does not exist");
  }
  return util::okStatus();
}

}  // namespace

LoadFlags::LoadFlags(util::FlagSet& f, LoadConfig& c) : config_(c) {
  f.addString("url", &url_, "webhook URL, e.g. https://127.0.0.1:8443/mutate; required");
  f.addString("corpus", &c.corpusDir, "directory written by 'irsa-bench corpus'; required");
  f.addSize("connections", &c.connections, "concurrent connections (one request in flight on each)");
  f.addString("ca-file", &c.tls.caFile, "trust only this CA and verify the server's name or IP");
  f.addBool("insecure", &c.tls.insecure, "do not verify the server certificate (instead of --ca-file)");
  f.addSize("threads", &c.threads,
            "load threads, each with its own connections; 1 leaves the other cores to the server");
  f.addDuration("timeout", &c.timeout, "per request: longer counts as a timeout error");
  f.addInt("server-pid", &c.serverPid,
           "server process to sample (CPU time, RSS) at the window's start and end");
  f.addString("json", &jsonFile_, "write the report as JSON to this file");
  f.addString("markdown", &markdownFile_, "write the Markdown table to this file too");
  f.addString("label", &c.label, "name of this run in the reports");
}

void LoadFlags::addRate(util::FlagSet& f, std::string help) {
  rateRequired_ = true;
  f.addFloat64("rate", &config_.rate, std::move(help), requestRate());
  f.noDefault("rate");
}
void LoadFlags::addDuration(util::FlagSet& f) {
  f.addDuration("duration", &config_.duration, "length of the measured window");
}
void LoadFlags::addWarmup(util::FlagSet& f, std::string help) {
  f.addDuration("warmup", &config_.warmup, std::move(help));
}
void LoadFlags::addRequests(util::FlagSet& f) {
  f.addSize("requests", &requests_, "measure exactly this many requests instead of --duration");
}
void LoadFlags::addNewConnection(util::FlagSet& f) {
  f.addBool("new-connection-per-request", &config_.newConnectionPerRequest,
            "a new TCP connection and full TLS handshake for every request (no resumption)");
}

util::Accept<double> requestRate() {
  return {[](double rate) { return rate >= 0 && rate <= kMaxRate; },
          "want requests per second, a number from 0 to 10000000"};
}

util::Status LoadFlags::finish(const util::FlagSet& f) {
  if (url_.empty()) return util::fail("--url is required");
  auto url = TargetUrl::parse(url_);
  if (!url) return std::move(url).failure();
  config_.url = std::move(*url);
  if (config_.corpusDir.empty()) return util::fail("--corpus is required");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::path(config_.corpusDir) / kRequestsFile, ec)) {
    return util::fail("--corpus " + config_.corpusDir + ": no " + kRequestsFile +
                      " there (write one with 'irsa-bench corpus --out " + config_.corpusDir + "')");
  }
  if (config_.tls.insecure == !config_.tls.caFile.empty()) {
    return util::fail("give exactly one of --ca-file FILE (verify the server) and --insecure");
  }
  if (config_.connections == 0 || config_.connections > kMaxConnections) {
    return util::fail("--connections must be between 1 and " + std::to_string(kMaxConnections));
  }
  if (config_.threads == 0 || config_.threads > kMaxThreads) {
    return util::fail("--threads must be between 1 and " + std::to_string(kMaxThreads));
  }
  if (config_.timeout.count() <= 0) return util::fail("--timeout must be positive");
  if (config_.serverPid < 0) return util::fail("--server-pid must be a process id");
  if (config_.serverPid > 0) {
    if (auto sample = sampleProcess(config_.serverPid); !sample)
      return sample.failure().within("--server-pid");
  }
  if (rateRequired_ && !f.wasSet("rate")) {
    return util::fail("--rate is required (requests per second; 0 for a closed loop)");
  }
  config_.requests = requests_;
  if (config_.requests == 0 && config_.duration.count() <= 0)
    return util::fail("--duration must be positive");
  if (auto s = checkOutputPath("json", jsonFile_); !s) return s;
  return checkOutputPath("markdown", markdownFile_);
}

util::Status writeOutput(const std::string& path, const std::string& text) {
  if (path.empty()) return util::okStatus();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return util::fail("cannot write " + path);
  return util::okStatus();
}

}  // namespace irsa::bench
