// `irsa-bench corpus`: generate a request corpus and the identities it needs.
#include <iostream>

#include "bench/CommandSteps.hpp"
#include "bench/Commands.hpp"
#include "bench/CorpusFiles.hpp"
#include "bench/CorpusGenerator.hpp"
#include "util/FlagSet.hpp"

namespace irsa::bench {

int corpusCommand(const std::vector<std::string>& args) {
  CorpusOptions options;
  std::size_t seed = options.seed;
  util::FlagSet flags("corpus", "irsa-bench");
  flags.addString("out", &options.outDir, "directory to write the corpus files into; required");
  flags.addSize("count", &options.count, "number of requests");
  flags.addString("size", &options.size,
                  "pod size: small (1 container, ~2 KB), medium (2-3 containers and an init container, "
                  "~7.5 KB), large (20 containers, ~40 KB) or mixed (25/65/10 %)");
  flags.addString("mix", &options.mix,
                  "weights of the pod kinds: mutated (annotated ServiceAccount), plain (no role), configmap "
                  "(role only in ConfigMap pod-identity-webhook)");
  flags.addSize("seed", &seed, "random seed: the same flags give the same bytes");
  const auto usageError = [](const std::string& message) { return bench::usageError("corpus", message); };
  if (auto exit = parseFlags("corpus", flags, args)) return *exit;
  options.seed = seed;
  if (auto s = validate(options); !s) return usageError(s.error());

  const CorpusIdentities identities = CorpusIdentities::standard();
  const auto requests = CorpusGenerator(options, identities).generate();
  if (auto s = CorpusFiles::write(options, identities, requests); !s) {
    std::cerr << "irsa-bench corpus: " << s.error() << "\n";
    return kExitFailure;
  }
  const CorpusSummary summary = CorpusGenerator::summarize(requests);
  std::cout << "wrote " << requests.size() << " requests to " << options.outDir << " (mutated "
            << summary.kinds[0] << ", plain " << summary.kinds[1] << ", configmap " << summary.kinds[2]
            << "; request bytes min " << summary.minBytes << ", median " << summary.medianBytes << ", max "
            << summary.maxBytes << ")\n";
  return kExitOk;
}

}  // namespace irsa::bench
