#pragma once
// What one load thread counted; the run merges them. Every measured request
// ends in exactly one outcome, so ok + non2xx + invalid + errors == requests.

#include <array>
#include <chrono>
#include <cstdint>

#include "bench/LatencyHistogram.hpp"
#include "bench/RequestCorpus.hpp"

namespace irsa::bench {

enum class Outcome { kOk, kNon2xx, kInvalid, kConnectError, kTlsError, kIoError, kTimeout };

struct ErrorCounts {
  std::uint64_t connect{0};
  std::uint64_t tls{0};
  std::uint64_t io{0};
  std::uint64_t timeout{0};
  std::uint64_t total() const { return connect + tls + io + timeout; }
};

struct RunStats {
  using Clock = std::chrono::steady_clock;

  LatencyHistogram latency;     // requests that got an HTTP response
  LatencyHistogram handshakes;  // TCP connect + TLS handshake of connections opened
  std::uint64_t requests{0};
  std::uint64_t ok{0};
  std::uint64_t mutated{0};  // of ok: answered with a patch
  std::uint64_t non2xx{0};
  std::uint64_t invalid{0};  // 2xx, but not an allowed AdmissionReview echoing the uid
  ErrorCounts errors;
  std::array<std::uint64_t, kKindSlots> sentByKind{};
  Clock::time_point lastCompletion{};

  void record(Outcome outcome, bool mutated, std::size_t kind, std::chrono::nanoseconds latency,
              Clock::time_point completedAt);
  void merge(const RunStats& other);
};

}  // namespace irsa::bench
