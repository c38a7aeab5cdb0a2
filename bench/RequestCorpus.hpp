#pragma once
// A corpus loaded for a run: each AdmissionReview of requests.jsonl turned,
// once and up front, into the complete bytes of its HTTP request, so the hot
// path only writes a buffer it already has.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/TargetUrl.hpp"
#include "util/Result.hpp"

namespace irsa::bench {

// Kinds a run counts by, from the pod's bench.irsa-webhook.io/kind annotation:
// 0..2 like kPodKinds, 3 for a request without it (a hand-written corpus).
inline constexpr std::size_t kKindSlots = 4;
inline constexpr std::size_t kUnknownKind = 3;

struct CorpusEntry {
  std::string wire;  // request line, headers and body
  std::string uid;
  std::size_t kind{kUnknownKind};
  std::size_t bodyBytes{0};
};

class RequestCorpus {
 public:
  // `closeConnection` adds `Connection: close` (a new connection per request).
  static util::Result<RequestCorpus> load(const std::string& dir, const TargetUrl& url, bool closeConnection);

  std::size_t size() const { return entries_.size(); }
  // Request i of a run uses entry i modulo the size.
  const CorpusEntry& at(std::uint64_t index) const { return entries_[index % entries_.size()]; }
  const std::string& dir() const { return dir_; }
  std::size_t kindCount(std::size_t kind) const { return kindCounts_[kind]; }
  std::size_t meanBodyBytes() const;

 private:
  std::string dir_;
  std::vector<CorpusEntry> entries_;
  std::size_t kindCounts_[kKindSlots]{};
};

}  // namespace irsa::bench
