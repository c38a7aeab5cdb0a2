#pragma once
// Generates the corpus: `count` AdmissionReview v1 requests (CREATE pods),
// with exactly the apportioned number of each kind and size, in a shuffled
// order, each with a unique uid. The same options give the same bytes.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "bench/CorpusIdentities.hpp"
#include "bench/CorpusOptions.hpp"

namespace irsa::bench {

struct CorpusRequest {
  std::string json;  // one AdmissionReview, compact, no newline
  std::string uid;
  PodKind kind;
  SizeClass size;
};

struct CorpusSummary {
  std::array<std::size_t, 3> kinds{};  // indexed like kPodKinds
  std::array<std::size_t, 3> sizes{};  // indexed like kSizeClasses
  std::size_t minBytes{0};
  std::size_t medianBytes{0};
  std::size_t maxBytes{0};
  std::size_t totalBytes{0};
};

class CorpusGenerator {
 public:
  CorpusGenerator(const CorpusOptions& options, const CorpusIdentities& identities)
      : options_(options), identities_(identities) {}

  std::vector<CorpusRequest> generate() const;
  static CorpusSummary summarize(const std::vector<CorpusRequest>& requests);

 private:
  const CorpusOptions& options_;
  const CorpusIdentities& identities_;
};

}  // namespace irsa::bench
