#pragma once
// Runs the real irsa-bench binary with the shared process helpers.

#include <string>
#include <vector>

#include "test/support/ServerProcess.hpp"

#ifndef IRSA_BENCH_BINARY
#error "IRSA_BENCH_BINARY must name the irsa-bench binary under test"
#endif

namespace irsa::bench {

inline testsupport::RunResult runBench(std::vector<std::string> args, const std::filesystem::path& workDir,
                                       testsupport::milliseconds timeout = std::chrono::seconds(60)) {
  return testsupport::runBinary(std::move(args), workDir, timeout, IRSA_BENCH_BINARY);
}

}  // namespace irsa::bench
