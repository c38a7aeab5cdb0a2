#pragma once
// klog's command-line flags (as the reference's --help lists them, klog
// v2.140) and Kubernetes' --logging-format, bound to util::LogOptions.

#include <string>
#include <vector>

#include "cli/FlagSet.hpp"
#include "util/LogOptions.hpp"

namespace irsa::cli {

void addKlogFlags(FlagSet& flags, util::LogOptions& options);

// A flag accepted so that existing manifests start, with nothing to do here.
struct NoEffectFlag {
  const char* name;
  const char* reason;
};
// The klog flags that have no effect here, with why. (For the lead: wire these to
// FlagSet's no-effect marking once it exists; until then their help says so.)
const std::vector<NoEffectFlag>& klogNoEffectFlags();

// Logs one line for each no-effect flag the command line set; call after Log::configure.
void logKlogNoEffectFlags(const FlagSet& flags);

}  // namespace irsa::cli
