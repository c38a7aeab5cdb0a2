#pragma once
// What the fuzz targets share: the invariant check (a violation aborts, so
// libFuzzer keeps the input as a crash) and logging sent nowhere.

#include <cstdio>
#include <cstdlib>
#include <source_location>
#include <string_view>

namespace irsa::fuzz {

// Aborts with `what` (and up to 4 KiB of `detail`) when `ok` is false.
inline void check(bool ok, std::string_view what, std::string_view detail = {},
                  std::source_location where = std::source_location::current()) {
  if (ok) return;
  std::fprintf(stderr, "%s:%u: invariant failed: %.*s\n", where.file_name(), where.line(),
               static_cast<int>(what.size()), what.data());
  if (!detail.empty()) {
    const int shown = static_cast<int>(detail.size() < 4096 ? detail.size() : 4096);
    std::fprintf(stderr, "  %.*s\n", shown, detail.data());
  }
  std::abort();
}

// Log lines at `verbosity` are still formatted (their quoting of hostile
// values is fuzzed too), then written to /dev/null. Once, at start.
void quietLogs(int verbosity);

}  // namespace irsa::fuzz
