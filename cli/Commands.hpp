#pragma once
// One function per subcommand; each takes its arguments after the command
// name and returns the process exit code (0 ok, 1 runtime failure, 2 usage).

#include <string>
#include <vector>

namespace irsa::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

int mutateCommand(const std::vector<std::string>& args);
int serveCommand(const std::vector<std::string>& args);
int devCertCommand(const std::vector<std::string>& args);
int oidcCommand(const std::vector<std::string>& args);
// `oidc from-cluster`, in a file of its own for its cluster I/O.
int oidcFromClusterCommand(const std::vector<std::string>& args);
int doctorCommand(const std::vector<std::string>& args);
// `trust-policy from-cluster`, in a file of its own for its cluster I/O.
int trustPolicyFromClusterCommand(const std::vector<std::string>& args);
int trustPolicyCommand(const std::vector<std::string>& args);
// Prints `irsa-webhook <version>` (also `serve --version`, a bool flag as in the reference).
int versionCommand();

}  // namespace irsa::cli
