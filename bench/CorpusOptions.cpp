#include "bench/CorpusOptions.hpp"

#include <charconv>
#include <numeric>

namespace irsa::bench {

std::string_view kindName(PodKind kind) {
  switch (kind) {
    case PodKind::kMutated:
      return "mutated";
    case PodKind::kPlain:
      return "plain";
    case PodKind::kConfigMap:
      return "configmap";
  }
  return "unknown";
}

std::string_view sizeName(SizeClass size) {
  switch (size) {
    case SizeClass::kSmall:
      return "small";
    case SizeClass::kMedium:
      return "medium";
    case SizeClass::kLarge:
      return "large";
  }
  return "unknown";
}

util::Result<Weights> parseSize(std::string_view text) {
  if (text == "mixed") return kMixedSizeWeights;
  for (std::size_t i = 0; i < kSizeClasses.size(); ++i) {
    if (text == sizeName(kSizeClasses[i])) {
      Weights w{0, 0, 0};
      w[i] = 1;
      return w;
    }
  }
  return util::fail("invalid --size \"" + std::string(text) + "\": want small, medium, large or mixed");
}

util::Result<Weights> parseMix(std::string_view text) {
  Weights w{0, 0, 0};
  std::array<bool, 3> seen{false, false, false};
  const auto bad = [&](const std::string& why) {
    return util::Result<Weights>(util::fail("invalid --mix \"" + std::string(text) + "\": " + why));
  };
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return bad("want kind=weight items");
    const std::string_view name = item.substr(0, eq);
    const std::string_view number = item.substr(eq + 1);
    std::size_t k = 0;
    while (k < kPodKinds.size() && kindName(kPodKinds[k]) != name)
      ++k;
    if (k == kPodKinds.size())
      return bad("unknown kind \"" + std::string(name) + "\" (mutated, plain, configmap)");
    if (seen[k]) return bad("kind \"" + std::string(name) + "\" given twice");
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size() || number.empty() || value > 1'000'000) {
      return bad("weight of \"" + std::string(name) + "\" is not an integer from 0 to 1000000");
    }
    w[k] = value;
    seen[k] = true;
  }
  if (std::accumulate(w.begin(), w.end(), 0ULL) == 0) return bad("the weights add up to 0");
  return w;
}

util::Status validate(CorpusOptions& options) {
  if (options.outDir.empty()) return util::fail("--out is required");
  if (options.count == 0 || options.count > kMaxCorpusCount) {
    return util::fail("--count must be between 1 and " + std::to_string(kMaxCorpusCount));
  }
  auto size = parseSize(options.size);
  if (!size) return size.failure();
  options.sizeWeights = *size;
  auto mix = parseMix(options.mix);
  if (!mix) return mix.failure();
  options.kindWeights = *mix;
  return util::okStatus();
}

std::array<std::size_t, 3> apportion(const Weights& weights, std::size_t total) {
  const unsigned long long sum = std::accumulate(weights.begin(), weights.end(), 0ULL);
  std::array<std::size_t, 3> out{0, 0, 0};
  std::array<unsigned long long, 3> remainder{0, 0, 0};
  std::size_t given = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const unsigned long long scaled = static_cast<unsigned long long>(total) * weights[i];
    out[i] = static_cast<std::size_t>(scaled / sum);
    remainder[i] = scaled % sum;
    given += out[i];
  }
  while (given < total) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < 3; ++i) {
      if (remainder[i] > remainder[best]) best = i;
    }
    ++out[best];
    remainder[best] = 0;
    ++given;
  }
  return out;
}

}  // namespace irsa::bench
