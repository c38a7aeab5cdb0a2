#pragma once
// The pieces every load command's output shares: the Markdown row of a run,
// the note on stderr when requests failed, and emitting the reports.

#include <string>
#include <vector>

#include "bench/LoadConfig.hpp"
#include "bench/LoadFlags.hpp"
#include "bench/LoadRun.hpp"

namespace irsa::bench {

std::vector<std::string> runColumns();
// A percentile of `histogram` as a table cell, milliseconds with 3 decimals.
std::string percentileMs(const LatencyHistogram& histogram, double percentile);
std::vector<std::string> runRow(const LoadConfig& config, const RunResult& result);

// One stderr line naming the failures and the last error, if any failed.
void noteFailures(const std::string& command, const RunResult& result);

// Prints `markdown` on stdout and writes --json / --markdown; returns the
// exit code (1 if a file could not be written).
int emitReports(const std::string& command, const LoadFlags& flags, const std::string& json,
                const std::string& markdown);

}  // namespace irsa::bench
