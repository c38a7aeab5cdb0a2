// `irsa-bench saturate`: the highest open-loop rate the server holds with
// p99 under a bound, no errors, and at least 98 % of the target achieved.
#include <iostream>
#include <optional>

#include "bench/CommandSteps.hpp"
#include "bench/Commands.hpp"
#include "bench/JsonReport.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "bench/MarkdownTable.hpp"
#include "bench/RunSummary.hpp"
#include "bench/SaturationSearch.hpp"
#include "util/JsonWriter.hpp"

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

struct SaturateFlags {
  LoadConfig config;
  std::chrono::nanoseconds bound{std::chrono::milliseconds(2)};
  std::chrono::milliseconds stepDuration{std::chrono::seconds(5)};
  std::chrono::milliseconds timeLimit{std::chrono::minutes(5)};
  SaturationSearch::Options search{500, 100000};

  SaturateFlags() { config.warmup = std::chrono::seconds(1); }
};

void addSaturateFlags(util::FlagSet& flags, LoadFlags& load, SaturateFlags& parsed) {
  load.addWarmup(flags, "unmeasured time at the start of each step");
  load.addNewConnection(flags);
  flags.addDuration("p99-bound", &parsed.bound, "highest acceptable p99 latency (e.g. 2ms, 500us)",
                    {[](std::chrono::nanoseconds d) { return d > d.zero() && d <= std::chrono::seconds(60); },
                     "want a duration like 2ms or 500us"});
  flags.addFloat64("start-rate", &parsed.search.startRate, "rate of the first step, requests per second",
                   requestRate());
  flags.addFloat64("max-rate", &parsed.search.maxRate, "rate never exceeded, requests per second",
                   requestRate());
  flags.addDuration("step-duration", &parsed.stepDuration, "measured window of each step");
  flags.addSize("max-steps", &parsed.search.maxSteps, "most steps to run");
  flags.addDuration("time-limit", &parsed.timeLimit, "no step starts that could end after this much time");
}

// What relates saturate's flags, after LoadFlags::finish.
util::Status validate(const SaturateFlags& parsed) {
  const auto& search = parsed.search;
  if (search.startRate < 1 || search.maxRate < search.startRate) {
    return util::fail("want 1 <= --start-rate <= --max-rate");
  }
  if (parsed.stepDuration.count() <= 0) return util::fail("--step-duration must be positive");
  if (search.maxSteps == 0 || search.maxSteps > 100)
    return util::fail("--max-steps must be between 1 and 100");
  return util::okStatus();
}

// Runs the search's steps until it ends or --time-limit could be passed;
// nullopt (reported) when a step could not run at all.
std::optional<std::vector<Step>> runSteps(LoadRun& run, SaturationSearch& searcher,
                                          const SaturateFlags& parsed) {
  std::vector<Step> steps;
  const auto began = Clock::now();
  // A step lasts its warmup and window, plus at most the drain (the timeout).
  const auto stepBound = parsed.config.warmup + parsed.stepDuration + parsed.config.timeout;
  while (auto rate = searcher.next()) {
    if (Clock::now() - began + stepBound > parsed.timeLimit) {
      std::cerr << "irsa-bench saturate: --time-limit reached, stopping\n";
      break;
    }
    LoadConfig stepConfig = parsed.config;
    stepConfig.rate = *rate;
    auto result = run.execute(stepConfig);
    if (!result) {
      std::cerr << "irsa-bench saturate: " << result.error() << "\n";
      return std::nullopt;
    }
    const std::string reason = judge(*result, *rate, parsed.bound);
    searcher.record(*rate, reason.empty());
    std::cerr << "irsa-bench saturate: step " << steps.size() + 1 << " rate " << *rate
              << "/s: " << (reason.empty() ? "held" : reason) << "\n";
    steps.push_back({*rate, reason.empty(), reason, std::move(*result)});
  }
  return steps;
}

void writeSaturateConfig(JsonWriter& w, const SaturateFlags& parsed, const LoadRun& run) {
  w.Key("config");
  w.StartObject();
  writeLoadConfig(w, parsed.config, run.corpus());
  w.Key("p99BoundMs");
  w.Double(round3(std::chrono::duration<double, std::milli>(parsed.bound).count()));
  w.Key("startRate");
  w.Double(parsed.search.startRate);
  w.Key("maxRate");
  w.Double(parsed.search.maxRate);
  w.Key("stepDurationSeconds");
  w.Double(round3(std::chrono::duration<double>(parsed.stepDuration).count()));
  w.Key("maxSteps");
  w.Uint64(parsed.search.maxSteps);
  w.Key("timeLimitSeconds");
  w.Double(round3(std::chrono::duration<double>(parsed.timeLimit).count()));
  w.EndObject();
}

std::string reportJson(const SaturateFlags& parsed, const LoadRun& run, const SaturationSearch& searcher,
                       const std::vector<Step>& steps) {
  irsa::util::JsonBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  beginReport(w, "saturate", parsed.config);
  writeSaturateConfig(w, parsed, run);
  w.Key("results");
  w.StartObject();
  w.Key("found");
  w.Bool(searcher.found());
  w.Key("maxRate");
  w.Double(searcher.bestPass());
  w.Key("steps");
  w.StartArray();
  for (const auto& step : steps) {
    LoadConfig stepConfig = parsed.config;
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
  return std::string(buffer.GetString()) + "\n";
}

std::string reportMarkdown(const SaturateFlags& parsed, const SaturationSearch& searcher,
                           const std::vector<Step>& steps) {
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
  const std::string& label = parsed.config.label;
  std::string markdown = table.str() + "\n";
  markdown += searcher.found()
                  ? "Highest rate held" + std::string(label.empty() ? "" : " (" + label + ")") + ": **" +
                        MarkdownTable::fixed(searcher.bestPass(), 0) + " req/s** with p99 under " +
                        MarkdownTable::fixed(toMs(static_cast<std::uint64_t>(parsed.bound.count())), 3) +
                        " ms.\n"
                  : "No step held the bound.\n";
  return markdown;
}

}  // namespace

int saturateCommand(const std::vector<std::string>& args) {
  SaturateFlags parsed;
  util::FlagSet flags("saturate", "irsa-bench");
  LoadFlags load(flags, parsed.config);
  addSaturateFlags(flags, load, parsed);
  if (auto exit = parseFlags("saturate", flags, args)) return *exit;
  if (auto exit = finishLoadFlags("saturate", load, flags)) return *exit;
  if (auto s = validate(parsed); !s) return usageError("saturate", s.error());
  parsed.config.duration = parsed.stepDuration;

  auto run = prepareRun("saturate", parsed.config);
  if (!run) return kExitFailure;
  SaturationSearch searcher(parsed.search);
  auto steps = runSteps(*run, searcher, parsed);
  if (!steps) return kExitFailure;
  return emitReports("saturate", load, reportJson(parsed, *run, searcher, *steps),
                     reportMarkdown(parsed, searcher, *steps));
}

}  // namespace irsa::bench
