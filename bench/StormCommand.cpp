// `irsa-bench storm`: N new TLS connections at once, one request each, the
// way a rolling restart of the apiservers makes all their idle connections
// reconnect together (3 apiservers x 25 connections: --connections 75).
#include <iostream>

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
  cli::FlagSet flags("storm", "irsa-bench");
  LoadFlags load(flags, config);
  const auto usageError = [](const std::string& message) {
    std::cerr << "irsa-bench storm: " << message << "\n";
    return kExitUsage;
  };
  if (auto s = flags.parse(args); !s) return usageError(s.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  // Everything at once: a closed loop of exactly one request per connection.
  config.newConnectionPerRequest = true;
  config.rate = 0;
  config.warmup = std::chrono::milliseconds(0);
  if (auto s = load.finish(flags); !s) return usageError(s.error());
  config.requests = config.connections;
  config.threads = std::min(config.threads, config.connections);

  auto run = LoadRun::create(config);
  if (!run) {
    std::cerr << "irsa-bench storm: " << run.error() << "\n";
    return kExitFailure;
  }
  auto result = (*run)->execute(config);
  if (!result) {
    std::cerr << "irsa-bench storm: " << result.error() << "\n";
    return kExitFailure;
  }
  noteFailures("storm", *result);

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  beginReport(w, "storm", config);
  w.Key("config");
  w.StartObject();
  writeLoadConfig(w, config, (*run)->corpus());
  w.EndObject();
  w.Key("results");
  w.StartObject();
  writeRunResultMembers(w, *result, config);
  w.Key("allCompletedSeconds");
  w.Double(round3(result->completedSeconds));
  w.EndObject();
  w.EndObject();

  const RunStats& s = result->stats;
  const auto ms = [](const LatencyHistogram& h, double p) {
    return MarkdownTable::fixed(toMs(h.percentile(p)), 3);
  };
  MarkdownTable table({"label", "connections", "handshake p50 ms", "p90 ms", "p99 ms", "max ms",
                       "request p50 ms", "p99 ms", "max ms", "all done s", "errors", "non-2xx", "invalid"});
  table.addRow({config.label.empty() ? "-" : config.label, std::to_string(config.connections),
                ms(s.handshakes, 50), ms(s.handshakes, 90), ms(s.handshakes, 99),
                MarkdownTable::fixed(toMs(s.handshakes.max()), 3), ms(s.latency, 50), ms(s.latency, 99),
                MarkdownTable::fixed(toMs(s.latency.max()), 3),
                MarkdownTable::fixed(result->completedSeconds, 3), std::to_string(s.errors.total()),
                std::to_string(s.non2xx), std::to_string(s.invalid)});
  return emitReports("storm", load, std::string(buffer.GetString()) + "\n", table.str());
}

}  // namespace irsa::bench
