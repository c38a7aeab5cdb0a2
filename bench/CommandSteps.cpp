#include "bench/CommandSteps.hpp"

#include <iostream>

#include "bench/Commands.hpp"
#include "bench/RunSummary.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::bench {

int usageError(const std::string& command, const std::string& message) {
  std::cerr << "irsa-bench " << command << ": " << message << "\n";
  return kExitUsage;
}

std::optional<int> parseFlags(const std::string& command, util::FlagSet& flags,
                              const std::vector<std::string>& args) {
  if (auto s = flags.parse(args); !s) return usageError(command, s.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  return std::nullopt;
}

std::optional<int> finishLoadFlags(const std::string& command, LoadFlags& load, const util::FlagSet& flags) {
  if (auto s = load.finish(flags); !s) return usageError(command, s.error());
  return std::nullopt;
}

std::unique_ptr<LoadRun> prepareRun(const std::string& command, const LoadConfig& config) {
  auto run = LoadRun::create(config);
  if (!run) {
    std::cerr << "irsa-bench " << command << ": " << run.error() << "\n";
    return nullptr;
  }
  return std::move(*run);
}

std::optional<RunResult> executeRun(const std::string& command, LoadRun& run, const LoadConfig& config) {
  auto result = run.execute(config);
  if (!result) {
    std::cerr << "irsa-bench " << command << ": " << result.error() << "\n";
    return std::nullopt;
  }
  noteFailures(command, *result);
  return std::move(*result);
}

std::string runReportJson(std::string_view command, const LoadConfig& config, const LoadRun& run,
                          const RunResult& result, const std::function<void(JsonWriter&)>& extraResults) {
  irsa::util::JsonBuffer buffer;
  JsonWriter w(buffer);
  w.SetIndent(' ', 2);
  beginReport(w, command, config);
  w.Key("config");
  w.StartObject();
  writeLoadConfig(w, config, run.corpus());
  w.EndObject();
  w.Key("results");
  w.StartObject();
  writeRunResultMembers(w, result, config);
  if (extraResults) extraResults(w);
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString()) + "\n";
}

}  // namespace irsa::bench
