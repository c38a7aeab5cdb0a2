// `irsa-bench saturate`: the highest open-loop rate the server holds with
// p99 under a bound, no errors, and at least 98 % of the target achieved.
#include <cmath>
#include <iostream>

#include "bench/CommandSteps.hpp"
#include "bench/Commands.hpp"
#include "bench/JsonReport.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "bench/MarkdownTable.hpp"
#include "bench/RunSummary.hpp"
#include "bench/SaturationSearch.hpp"

namespace irsa::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Achieved rate / target below this: the server (or the client) fell behind.
constexpr double kMinAchievedShare = 0.98;

struct Step {
  double rate;
  bool pass;
  std::string reason;
  RunResult result;
};

// "2ms", "500us", "1.5ms", "0.01s": one number and a unit.
util::Result<std::chrono::nanoseconds> parseBound(const std::string& text) {
  const auto bad = [&] {
    return util::Result<std::chrono::nanoseconds>(
        util::fail("invalid value \"" + text + "\" for flag --p99-bound: want a duration like 2ms or 500us"));
  };
  std::size_t used = 0;
  double number = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    return bad();
  }
  const std::string unit = text.substr(used);
  double scale = 0;
  if (unit == "ns") scale = 1;
  if (unit == "us" || unit == "\u00b5s") scale = 1e3;
  if (unit == "ms") scale = 1e6;
  if (unit == "s") scale = 1e9;
  if (scale == 0 || !std::isfinite(number) || number <= 0 || number * scale > 60e9) return bad();
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(number * scale)));
}

std::string judge(const RunResult& r, double rate, std::chrono::nanoseconds bound) {
  const RunStats& s = r.stats;
  if (s.errors.total() > 0) return std::to_string(s.errors.total()) + " errors";
  if (s.non2xx + s.invalid > 0) return std::to_string(s.non2xx + s.invalid) + " bad answers";
  const auto p99 = s.latency.percentile(99);
  if (p99 > static_cast<std::uint64_t>(bound.count())) {
    return "p99 " + MarkdownTable::fixed(toMs(p99), 3) + " ms over the bound";
  }
  if (r.achievedRate < kMinAchievedShare * rate) {
    return "achieved " + MarkdownTable::fixed(r.achievedRate, 0) + "/s, under 98 %";
  }
  return "";
}

}  // namespace

int saturateCommand(const std::vector<std::string>& args) {
  LoadConfig config;
  config.warmup = std::chrono::seconds(1);
  std::string boundText = "2ms", startText = "500", maxText = "100000";
  std::chrono::milliseconds stepDuration{std::chrono::seconds(5)};
  std::chrono::milliseconds timeLimit{std::chrono::minutes(5)};
  SaturationSearch::Options search;
  util::FlagSet flags("saturate", "irsa-bench");
  LoadFlags load(flags, config);
  load.addWarmup(flags, "unmeasured time at the start of each step");
  load.addNewConnection(flags);
  flags.addString("p99-bound", &boundText, "highest acceptable p99 latency (e.g. 2ms, 500us)");
  flags.addString("start-rate", &startText, "rate of the first step, requests per second");
  flags.addString("max-rate", &maxText, "rate never exceeded, requests per second");
  flags.addDuration("step-duration", &stepDuration, "measured window of each step");
  flags.addSize("max-steps", &search.maxSteps, "most steps to run");
  flags.addDuration("time-limit", &timeLimit, "no step starts that could end after this much time");
  const auto usageError = [](const std::string& message) { return bench::usageError("saturate", message); };
  if (auto exit = parseFlags("saturate", flags, args)) return *exit;
  if (auto exit = finishLoadFlags("saturate", load, flags)) return *exit;
  auto bound = parseBound(boundText);
  if (!bound) return usageError(bound.error());
  auto start = parseRate("start-rate", startText);
  if (!start) return usageError(start.error());
  auto max = parseRate("max-rate", maxText);
  if (!max) return usageError(max.error());
  if (*start < 1 || *max < *start) return usageError("want 1 <= --start-rate <= --max-rate");
  if (stepDuration.count() <= 0) return usageError("--step-duration must be positive");
  if (search.maxSteps == 0 || search.maxSteps > 100)
    return usageError("--max-steps must be between 1 and 100");
  search.startRate = *start;
  search.maxRate = *max;
  config.duration = stepDuration;

  auto run = prepareRun("saturate", config);
  if (!run) return kExitFailure;
  SaturationSearch searcher(search);
  std::vector<Step> steps;
  const auto began = Clock::now();
  // A step lasts its warmup and window, plus at most the drain (the timeout).
  const auto stepBound = config.warmup + stepDuration + config.timeout;
  while (auto rate = searcher.next()) {
    if (Clock::now() - began + stepBound > timeLimit) {
      std::cerr << "irsa-bench saturate: --time-limit reached, stopping\n";
      break;
    }
    LoadConfig stepConfig = config;
    stepConfig.rate = *rate;
    auto result = run->execute(stepConfig);
    if (!result) {
      std::cerr << "irsa-bench saturate: " << result.error() << "\n";
      return kExitFailure;
    }
    const std::string reason = judge(*result, *rate, *bound);
    searcher.record(*rate, reason.empty());
    std::cerr << "irsa-bench saturate: step " << steps.size() + 1 << " rate " << *rate
              << "/s: " << (reason.empty() ? "held" : reason) << "\n";
    steps.push_back({*rate, reason.empty(), reason, std::move(*result)});
  }

  rapidjson::StringBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  beginReport(w, "saturate", config);
  w.Key("config");
  w.StartObject();
  writeLoadConfig(w, config, run->corpus());
  w.Key("p99BoundMs");
  w.Double(round3(std::chrono::duration<double, std::milli>(*bound).count()));
  w.Key("startRate");
  w.Double(search.startRate);
  w.Key("maxRate");
  w.Double(search.maxRate);
  w.Key("stepDurationSeconds");
  w.Double(round3(std::chrono::duration<double>(stepDuration).count()));
  w.Key("maxSteps");
  w.Uint64(search.maxSteps);
  w.Key("timeLimitSeconds");
  w.Double(round3(std::chrono::duration<double>(timeLimit).count()));
  w.EndObject();
  w.Key("results");
  w.StartObject();
  w.Key("found");
  w.Bool(searcher.found());
  w.Key("maxRate");
  w.Double(searcher.bestPass());
  w.Key("steps");
  w.StartArray();
  for (const auto& step : steps) {
    LoadConfig stepConfig = config;
    stepConfig.rate = step.rate;
    w.StartObject();
    w.Key("rate");
    w.Double(step.rate);
    w.Key("pass");
    w.Bool(step.pass);
    w.Key("reason");
    w.String(step.reason);
    w.Key("results");
    writeRunResult(w, step.result, stepConfig);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();

  MarkdownTable table({"step", "target/s", "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "errors",
                       "held", "why not"});
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const RunStats& s = steps[i].result.stats;
    table.addRow({std::to_string(i + 1), MarkdownTable::fixed(steps[i].rate, 0),
                  MarkdownTable::fixed(steps[i].result.achievedRate, 0),
                  MarkdownTable::fixed(toMs(s.latency.percentile(50)), 3),
                  MarkdownTable::fixed(toMs(s.latency.percentile(99)), 3),
                  MarkdownTable::fixed(toMs(s.latency.percentile(99.9)), 3),
                  MarkdownTable::fixed(toMs(s.latency.max()), 3), std::to_string(s.errors.total()),
                  steps[i].pass ? "yes" : "no", steps[i].reason});
  }
  std::string markdown = table.str() + "\n";
  markdown += searcher.found()
                  ? "Highest rate held" + std::string(config.label.empty() ? "" : " (" + config.label + ")") +
                        ": **" + MarkdownTable::fixed(searcher.bestPass(), 0) + " req/s** with p99 under " +
                        MarkdownTable::fixed(toMs(static_cast<std::uint64_t>(bound->count())), 3) + " ms.\n"
                  : "No step held the bound.\n";
  return emitReports("saturate", load, std::string(buffer.GetString()) + "\n", markdown);
}

}  // namespace irsa::bench
