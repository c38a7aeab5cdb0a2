#pragma once
// Randomness is injected so the pure core stays deterministic under test
// (the reference does the same).

#include <cstdint>

namespace irsa::webhook {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // A uniformly chosen integer in [lo, hi].
  virtual std::int64_t uniform(std::int64_t lo, std::int64_t hi) = 0;
};

}  // namespace irsa::webhook
