// `irsa-bench run`: one measured run, open or closed loop.
#include "bench/CommandSteps.hpp"
#include "bench/Commands.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "bench/MarkdownTable.hpp"
#include "bench/RunSummary.hpp"

namespace irsa::bench {

int runCommand(const std::vector<std::string>& args) {
  LoadConfig config;
  util::FlagSet flags("run", "irsa-bench");
  LoadFlags load(flags, config);
  load.addRate(flags,
               "requests per second, sent on schedule whatever the latency (open loop); 0: each "
               "connection sends as fast as it can (closed loop); required");
  load.addDuration(flags);
  load.addWarmup(flags, "unmeasured time before the window");
  load.addRequests(flags);
  load.addNewConnection(flags);
  if (auto exit = parseFlags("run", flags, args)) return *exit;
  if (auto exit = finishLoadFlags("run", load, flags)) return *exit;

  auto run = prepareRun("run", config);
  if (!run) return kExitFailure;
  auto result = executeRun("run", *run, config);
  if (!result) return kExitFailure;

  MarkdownTable table(runColumns());
  table.addRow(runRow(config, *result));
  return emitReports("run", load, runReportJson("run", config, *run, *result), table.str());
}

}  // namespace irsa::bench
