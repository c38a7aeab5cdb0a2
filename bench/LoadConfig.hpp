#pragma once
// Everything a load run needs, parsed once from the flags and validated
// before anything connects.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/ClientTls.hpp"
#include "bench/TargetUrl.hpp"

namespace irsa::bench {

struct LoadConfig {
  TargetUrl url;
  std::string corpusDir;
  ClientTlsOptions tls;
  std::size_t connections{8};
  double rate{0};  // requests per second, open loop; 0: closed loop
  std::chrono::milliseconds duration{std::chrono::seconds(10)};
  std::chrono::milliseconds warmup{std::chrono::seconds(2)};
  std::uint64_t requests{0};  // measured requests; 0: run for `duration` instead
  bool newConnectionPerRequest{false};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per request
  std::size_t threads{1};
  int serverPid{0};  // 0: none
  std::string label;

  bool openLoop() const { return rate > 0; }
};

}  // namespace irsa::bench
