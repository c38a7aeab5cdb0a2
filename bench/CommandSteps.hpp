#pragma once
// The steps irsa-bench's commands share, so each command file holds only
// what makes it different: reading its flags, preparing and executing a load
// run, and the JSON report of one run. Errors go to stderr as
// "irsa-bench COMMAND: message".

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/JsonReport.hpp"
#include "bench/LoadConfig.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"
#include "util/FlagSet.hpp"

namespace irsa::bench {

// Reports a usage error; returns kExitUsage.
int usageError(const std::string& command, const std::string& message);

// Parses `args`. nullopt: go on. Otherwise the exit code to return at once:
// after printing --help, or for a usage error already reported.
std::optional<int> parseFlags(const std::string& command, util::FlagSet& flags,
                              const std::vector<std::string>& args);

// LoadFlags::finish (the checks that need every flag), reported the same way.
std::optional<int> finishLoadFlags(const std::string& command, LoadFlags& load, const util::FlagSet& flags);

// The corpus loaded and the TLS client ready; nullptr (reported) on failure.
std::unique_ptr<LoadRun> prepareRun(const std::string& command, const LoadConfig& config);

// One execution, its failed requests noted on stderr; nullopt (reported)
// when it could not run at all.
std::optional<RunResult> executeRun(const std::string& command, LoadRun& run, const LoadConfig& config);

// The --json report of one run: "config", then "results" with the shared
// members and whatever `extraResults` adds after them.
std::string runReportJson(std::string_view command, const LoadConfig& config, const LoadRun& run,
                          const RunResult& result, const std::function<void(JsonWriter&)>& extraResults = {});

}  // namespace irsa::bench
