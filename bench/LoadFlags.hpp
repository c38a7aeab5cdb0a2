#pragma once
// The flags the load commands (run, saturate, storm, handshakes) share:
// target, corpus, TLS, connections, threads, timeouts, server process,
// outputs. Each command adds its own on top and calls finish() after parsing.

#include <string>

#include "bench/LoadConfig.hpp"
#include "util/FlagSet.hpp"
#include "util/Result.hpp"

namespace irsa::bench {

class LoadFlags {
 public:
  // Registers the shared flags, with `config`'s current values as defaults.
  LoadFlags(util::FlagSet& flags, LoadConfig& config);

  // Optional flags, for the commands that take them.
  void addRate(util::FlagSet& flags, std::string help);
  void addDuration(util::FlagSet& flags);
  void addWarmup(util::FlagSet& flags, std::string help);
  void addRequests(util::FlagSet& flags);
  void addNewConnection(util::FlagSet& flags);

  // Validates and fills `config` (the URL, the rate, the TLS choice, ranges).
  util::Status finish(const util::FlagSet& flags);

  const std::string& jsonFile() const { return jsonFile_; }
  const std::string& markdownFile() const { return markdownFile_; }

 private:
  LoadConfig& config_;
  std::string url_;
  std::size_t requests_{0};
  std::string jsonFile_;
  std::string markdownFile_;
  bool rateRequired_{false};
};

// What a rate flag (requests per second) takes: a number from 0 to 10^7.
util::Accept<double> requestRate();

// Writes `text` to `path` ("" does nothing).
util::Status writeOutput(const std::string& path, const std::string& text);

}  // namespace irsa::bench
