// `irsa-bench storm`: N new TLS connections at once, one request each, the
// way a rolling restart of the apiservers makes all their idle connections
// reconnect together (3 apiservers x 25 connections: --connections 75).
#include <algorithm>

#include "bench/CommandSteps.hpp"
#include "bench/Commands.hpp"
#include "bench/JsonReport.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "bench/MarkdownTable.hpp"
#include "bench/RunSummary.hpp"

namespace irsa::bench {

int stormCommand(const std::vector<std::string>& args) {
  LoadConfig config;
  config.connections = 75;
  util::FlagSet flags("storm", "irsa-bench");
  LoadFlags load(flags, config);
  if (auto exit = parseFlags("storm", flags, args)) return *exit;
  // Everything at once: a closed loop of exactly one request per connection.
  config.newConnectionPerRequest = true;
  config.rate = 0;
  config.warmup = std::chrono::milliseconds(0);
  if (auto exit = finishLoadFlags("storm", load, flags)) return *exit;
  config.requests = config.connections;
  config.threads = std::min(config.threads, config.connections);

  auto run = prepareRun("storm", config);
  if (!run) return kExitFailure;
  auto result = executeRun("storm", *run, config);
  if (!result) return kExitFailure;
  const std::string json = runReportJson("storm", config, *run, *result, [&](JsonWriter& w) {
    w.Key("allCompletedSeconds");
    w.Double(round3(result->completedSeconds));
  });

  const RunStats& s = result->stats;
  const auto ms = percentileMs;
  MarkdownTable table({"label", "connections", "handshake p50 ms", "p90 ms", "p99 ms", "max ms",
                       "request p50 ms", "p99 ms", "max ms", "all done s", "errors", "non-2xx", "invalid"});
  table.addRow({config.label.empty() ? "-" : config.label, std::to_string(config.connections),
                ms(s.handshakes, 50), ms(s.handshakes, 90), ms(s.handshakes, 99),
                MarkdownTable::fixed(toMs(s.handshakes.max()), 3), ms(s.latency, 50), ms(s.latency, 99),
                MarkdownTable::fixed(toMs(s.latency.max()), 3),
                MarkdownTable::fixed(result->completedSeconds, 3), std::to_string(s.errors.total()),
                std::to_string(s.non2xx), std::to_string(s.invalid)});
  return emitReports("storm", load, json, table.str());
}

}  // namespace irsa::bench
