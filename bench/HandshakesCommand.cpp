// `irsa-bench handshakes`: a closed loop of full TLS handshakes (connect,
// handshake, one request, close) on each connection: the server's cost of
// a new connection.
#include "bench/CommandSteps.hpp"
#include "bench/Commands.hpp"
#include "bench/JsonReport.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "bench/MarkdownTable.hpp"
#include "bench/RunSummary.hpp"

namespace irsa::bench {

int handshakesCommand(const std::vector<std::string>& args) {
  LoadConfig config;
  config.connections = 4;
  config.duration = std::chrono::seconds(5);
  config.warmup = std::chrono::seconds(1);
  util::FlagSet flags("handshakes", "irsa-bench");
  LoadFlags load(flags, config);
  load.addDuration(flags);
  load.addWarmup(flags, "unmeasured time before the window");
  if (auto exit = parseFlags("handshakes", flags, args)) return *exit;
  config.newConnectionPerRequest = true;
  config.rate = 0;
  if (auto exit = finishLoadFlags("handshakes", load, flags)) return *exit;

  auto run = prepareRun("handshakes", config);
  if (!run) return kExitFailure;
  auto result = executeRun("handshakes", *run, config);
  if (!result) return kExitFailure;

  const RunStats& s = result->stats;
  const double count = static_cast<double>(s.handshakes.count());
  const double perSecond = result->elapsedSeconds > 0 ? count / result->elapsedSeconds : 0;
  const double cpu = serverCpuSeconds(*result);

  const std::string json = runReportJson("handshakes", config, *run, *result, [&](JsonWriter& w) {
    w.Key("handshakesPerSecond");
    w.Double(round3(perSecond));
    w.Key("handshakesPerServerCpuSecond");
    if (cpu > 0) {
      w.Double(round3(count / cpu));
    } else {
      w.Null();
    }
  });

  const auto ms = percentileMs;
  MarkdownTable table({"label", "conns", "handshakes/s", "handshake p50 ms", "p99 ms", "request p50 ms",
                       "p99 ms", "srv CPU s", "handshakes/srv CPU-s", "errors", "non-2xx", "invalid"});
  table.addRow({config.label.empty() ? "-" : config.label, std::to_string(config.connections),
                MarkdownTable::fixed(perSecond, 0), ms(s.handshakes, 50), ms(s.handshakes, 99),
                ms(s.latency, 50), ms(s.latency, 99), cpu >= 0 ? MarkdownTable::fixed(cpu, 2) : "-",
                cpu > 0 ? MarkdownTable::fixed(count / cpu, 0) : "-", std::to_string(s.errors.total()),
                std::to_string(s.non2xx), std::to_string(s.invalid)});
  return emitReports("handshakes", load, json, table.str());
}

}  // namespace irsa::bench
