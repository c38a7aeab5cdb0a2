#pragma once
// klog's command-line flags (as the reference's --help lists them, klog
// v2.140) and Kubernetes' --logging-format, bound to util::LogOptions.

#include <string>
#include <vector>

#include "cli/FlagSet.hpp"
#include "util/LogOptions.hpp"

namespace irsa::cli {

void addKlogFlags(FlagSet& flags, util::LogOptions& options);

}  // namespace irsa::cli
