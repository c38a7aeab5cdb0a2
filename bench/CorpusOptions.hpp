#pragma once
// What `irsa-bench corpus` generates: how many requests, of which pod sizes,
// in which mix of identity kinds, from which seed.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/Result.hpp"

namespace irsa::bench {

// How the webhook treats a pod, by its ServiceAccount.
enum class PodKind {
  kMutated,    // ServiceAccount annotated with a role: always mutated
  kPlain,      // ServiceAccount without a role: never mutated
  kConfigMap,  // role only in ConfigMap pod-identity-webhook: mutated with --watch-config-map
};
inline constexpr std::array<PodKind, 3> kPodKinds{PodKind::kMutated, PodKind::kPlain, PodKind::kConfigMap};
std::string_view kindName(PodKind kind);

enum class SizeClass { kSmall, kMedium, kLarge };
inline constexpr std::array<SizeClass, 3> kSizeClasses{SizeClass::kSmall, SizeClass::kMedium,
                                                       SizeClass::kLarge};
std::string_view sizeName(SizeClass size);

// Relative weights, indexed like kPodKinds / kSizeClasses.
using Weights = std::array<unsigned, 3>;

struct CorpusOptions {
  std::string outDir;
  std::size_t count{1000};
  std::string size{"medium"};  // small, medium, large or mixed
  Weights sizeWeights{0, 1, 0};
  std::string mix{"mutated=80,plain=15,configmap=5"};
  Weights kindWeights{80, 15, 5};
  std::uint64_t seed{1};
};

// "mixed": most production pods are medium, a few are large.
inline constexpr Weights kMixedSizeWeights{25, 65, 10};
inline constexpr std::size_t kMaxCorpusCount = 1'000'000;

// "small" -> {1,0,0}; "mixed" -> kMixedSizeWeights.
util::Result<Weights> parseSize(std::string_view text);
// "mutated=80,plain=15,configmap=5"; missing kinds weigh 0, the sum must be > 0.
util::Result<Weights> parseMix(std::string_view text);
// Fills the parsed fields and checks the rest.
util::Status validate(CorpusOptions& options);

// Splits `total` into integer shares proportional to `weights` (largest
// remainder, ties to the earlier entry): the counts a corpus holds exactly.
std::array<std::size_t, 3> apportion(const Weights& weights, std::size_t total);

}  // namespace irsa::bench
