#pragma once
// One function per irsa-bench subcommand; each takes its arguments after the
// command name and returns the exit code (0 ok, 1 runtime failure, 2 usage).

#include <string>
#include <vector>

namespace irsa::bench {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int benchMain(const std::vector<std::string>& args);

int corpusCommand(const std::vector<std::string>& args);
int runCommand(const std::vector<std::string>& args);
int saturateCommand(const std::vector<std::string>& args);
int stormCommand(const std::vector<std::string>& args);
int handshakesCommand(const std::vector<std::string>& args);

}  // namespace irsa::bench
