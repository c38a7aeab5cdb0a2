// `irsa-bench run`: one measured run, open or closed loop.
#include <iostream>

#include "bench/Commands.hpp"
#include "bench/JsonReport.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "bench/MarkdownTable.hpp"
#include "bench/RunSummary.hpp"

namespace irsa::bench {

int runCommand(const std::vector<std::string>& args) {
  LoadConfig config;
  cli::FlagSet flags("run", "irsa-bench");
  LoadFlags load(flags, config);
  load.addRate(flags,
               "requests per second, sent on schedule whatever the latency (open loop); 0: each "
               "connection sends as fast as it can (closed loop); required");
  load.addDuration(flags);
  load.addWarmup(flags, "unmeasured time before the window");
  load.addRequests(flags);
  load.addNewConnection(flags);
  const auto usageError = [](const std::string& message) {
    std::cerr << "irsa-bench run: " << message << "\n";
    return kExitUsage;
  };
  if (auto s = flags.parse(args); !s) return usageError(s.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (auto s = load.finish(flags); !s) return usageError(s.error());

  auto run = LoadRun::create(config);
  if (!run) {
    std::cerr << "irsa-bench run: " << run.error() << "\n";
    return kExitFailure;
  }
  auto result = (*run)->execute(config);
  if (!result) {
    std::cerr << "irsa-bench run: " << result.error() << "\n";
    return kExitFailure;
  }
  noteFailures("run", *result);

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  beginReport(w, "run", config);
  w.Key("config");
  w.StartObject();
  writeLoadConfig(w, config, (*run)->corpus());
  w.EndObject();
  w.Key("results");
  writeRunResult(w, *result, config);
  w.EndObject();

  MarkdownTable table(runColumns());
  table.addRow(runRow(config, *result));
  return emitReports("run", load, std::string(buffer.GetString()) + "\n", table.str());
}

}  // namespace irsa::bench
