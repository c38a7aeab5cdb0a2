#pragma once

namespace irsa::cli {

// Runs `irsa-webhook <command> [flags]` and returns the process exit code.
int run(int argc, char** argv);

}  // namespace irsa::cli
