#pragma once
// The JSON a command writes with --json: one object per invocation, in the
// schema documented in bench/README.md ("JSON output"). Fields are only ever
// added within a schemaVersion; renaming or removing one bumps it.

#include <string>
#include <string_view>

#include "bench/LatencyHistogram.hpp"
#include "bench/LoadConfig.hpp"
#include "bench/LoadRun.hpp"
#include "bench/RequestCorpus.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::bench {

inline constexpr int kReportSchemaVersion = 1;

using JsonWriter = irsa::util::JsonPrettyWriter;

// Opens the top-level object and writes schemaVersion, tool, version,
// command, label and startedAt. The caller then writes "config" and
// "results" and closes the object.
void beginReport(JsonWriter& w, std::string_view command, const LoadConfig& config);

// The members of "config" shared by every load command (no braces).
void writeLoadConfig(JsonWriter& w, const LoadConfig& config, const RequestCorpus& corpus);

// A RunResult as one object (the "results" of `run`, each saturation step).
void writeRunResult(JsonWriter& w, const RunResult& result, const LoadConfig& config);
// The same members without the braces, for commands that add their own.
void writeRunResultMembers(JsonWriter& w, const RunResult& result, const LoadConfig& config);

// {count, min, mean, p50, p90, p99, p999, max}, milliseconds.
void writeLatency(JsonWriter& w, const LatencyHistogram& histogram);

// Milliseconds, rounded to the microsecond.
double toMs(LatencyHistogram::Nanos ns);
// Rounded to 3 decimals, so reports stay readable.
double round3(double value);

// Server CPU seconds in the window, or a negative value without samples.
double serverCpuSeconds(const RunResult& result);

}  // namespace irsa::bench
