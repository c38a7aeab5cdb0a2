#include "bench/RunStats.hpp"

#include <algorithm>

namespace irsa::bench {

void RunStats::record(Outcome outcome, bool wasMutated, std::size_t kind,
                      std::chrono::nanoseconds latencyValue, Clock::time_point completedAt) {
  ++requests;
  ++sentByKind[std::min(kind, kUnknownKind)];
  lastCompletion = std::max(lastCompletion, completedAt);
  switch (outcome) {
    case Outcome::kOk:
      ++ok;
      if (wasMutated) ++mutated;
      break;
    case Outcome::kNon2xx:
      ++non2xx;
      break;
    case Outcome::kInvalid:
      ++invalid;
      break;
    case Outcome::kConnectError:
      ++errors.connect;
      return;
    case Outcome::kTlsError:
      ++errors.tls;
      return;
    case Outcome::kIoError:
      ++errors.io;
      return;
    case Outcome::kTimeout:
      ++errors.timeout;
      return;
  }
  latency.record(latencyValue);
}

void RunStats::merge(const RunStats& o) {
  latency.merge(o.latency);
  handshakes.merge(o.handshakes);
  requests += o.requests;
  ok += o.ok;
  mutated += o.mutated;
  non2xx += o.non2xx;
  invalid += o.invalid;
  errors.connect += o.errors.connect;
  errors.tls += o.errors.tls;
  errors.io += o.errors.io;
  errors.timeout += o.errors.timeout;
  for (std::size_t i = 0; i < sentByKind.size(); ++i)
    sentByKind[i] += o.sentByKind[i];
  lastCompletion = std::max(lastCompletion, o.lastCompletion);
}

}  // namespace irsa::bench
