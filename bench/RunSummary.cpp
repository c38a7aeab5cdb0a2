#include "bench/RunSummary.hpp"

#include <iostream>

#include "bench/Commands.hpp"
#include "bench/JsonReport.hpp"
#include "bench/MarkdownTable.hpp"

namespace irsa::bench {

std::vector<std::string> runColumns() {
  return {"label",    "mode",   "conns",  "target/s", "achieved/s", "p50 ms",  "p90 ms",       "p99 ms",
          "p99.9 ms", "max ms", "errors", "non-2xx",  "invalid",    "mutated", "srv CPU s/1k", "srv RSS MiB"};
}

std::string percentileMs(const LatencyHistogram& histogram, double percentile) {
  return MarkdownTable::fixed(toMs(histogram.percentile(percentile)), 3);
}

std::vector<std::string> runRow(const LoadConfig& c, const RunResult& r) {
  const RunStats& s = r.stats;
  const auto ms = [&](double p) { return percentileMs(s.latency, p); };
  std::string mode = c.openLoop() ? "open" : "closed";
  if (c.newConnectionPerRequest) mode += ", new conn";
  const double cpu = serverCpuSeconds(r);
  const double answered = static_cast<double>(s.ok + s.non2xx + s.invalid);
  return {c.label.empty() ? "-" : c.label,
          mode,
          std::to_string(c.connections),
          c.openLoop() ? MarkdownTable::fixed(c.rate, 0) : "-",
          MarkdownTable::fixed(r.achievedRate, 0),
          ms(50),
          ms(90),
          ms(99),
          ms(99.9),
          MarkdownTable::fixed(toMs(s.latency.max()), 3),
          std::to_string(s.errors.total()),
          std::to_string(s.non2xx),
          std::to_string(s.invalid),
          std::to_string(s.mutated),
          cpu >= 0 && answered > 0 ? MarkdownTable::fixed(cpu / answered * 1000, 3) : "-",
          r.serverEnd
              ? MarkdownTable::fixed(static_cast<double>(r.serverEnd->rssBytes) / (1024.0 * 1024.0), 1)
              : "-"};
}

void noteFailures(const std::string& command, const RunResult& r) {
  const RunStats& s = r.stats;
  if (s.errors.total() == 0 && s.non2xx == 0 && s.invalid == 0) return;
  std::cerr << "irsa-bench " << command << ": " << s.errors.total() << " errors (connect " << s.errors.connect
            << ", tls " << s.errors.tls << ", io " << s.errors.io << ", timeout " << s.errors.timeout << "), "
            << s.non2xx << " non-2xx, " << s.invalid << " invalid";
  if (!r.lastError.empty()) std::cerr << "; last error: " << r.lastError;
  std::cerr << "\n";
}

int emitReports(const std::string& command, const LoadFlags& flags, const std::string& json,
                const std::string& markdown) {
  std::cout << markdown;
  std::cout.flush();
  for (const auto& [path, text] :
       {std::pair{flags.jsonFile(), json}, std::pair{flags.markdownFile(), markdown}}) {
    if (auto s = writeOutput(path, text); !s) {
      std::cerr << "irsa-bench " << command << ": " << s.error() << "\n";
      return kExitFailure;
    }
  }
  return kExitOk;
}

}  // namespace irsa::bench
