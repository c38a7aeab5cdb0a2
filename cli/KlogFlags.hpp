#pragma once
// klog's command-line flags (as the reference's --help lists them, klog
// v2.140) and Kubernetes' --logging-format, bound to util::LogOptions.

#include <string>
#include <vector>

#include "util/FlagSet.hpp"
#include "util/LogOptions.hpp"

namespace irsa::cli {

void addKlogFlags(util::FlagSet& flags, util::LogOptions& options);

}  // namespace irsa::cli
