#include "cli/Main.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "cli/Commands.hpp"

#ifndef IRSA_VERSION
#define IRSA_VERSION "dev"
#endif

namespace irsa::cli {
namespace {

constexpr const char* kUsage =
    "irsa-webhook: IAM Roles for Service Accounts admission webhook\n"
    "\n"
    "Usage: irsa-webhook <command> [flags]\n"
    "       irsa-webhook [serve flags]   (as the reference's /webhook is run: flags alone mean serve)\n"
    "\n"
    "Commands:\n"
    "  serve         run the HTTPS admission webhook\n"
    "  mutate        show offline what the webhook would do to a pod\n"
    "  dev-cert      write a development CA and serving certificate\n"
    "  oidc          OIDC discovery and JWKS documents of the service-account issuer\n"
    "  trust-policy  write and edit IAM role trust policies for service accounts\n"
    "  doctor        explain offline what STS would answer for a token\n"
    "  version       print the version\n"
    "\n"
    "Run 'irsa-webhook <command> --help' for a command's flags.\n";

}  // namespace

int versionCommand() {
  std::cout << "irsa-webhook " << IRSA_VERSION << "\n";
  return kExitOk;
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = args.front();
  if (command == "-h" || command == "--help" || command == "-help" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version" || command == "-version" || command == "version") return versionCommand();
  // The reference has no subcommands: its manifests run `/webhook --flag…`.
  if (command.starts_with("-")) return serveCommand(args);
  args.erase(args.begin());
  if (command == "mutate") return mutateCommand(args);
  if (command == "serve") return serveCommand(args);
  if (command == "dev-cert") return devCertCommand(args);
  if (command == "oidc") return oidcCommand(args);
  if (command == "doctor") return doctorCommand(args);
  if (command == "trust-policy") return trustPolicyCommand(args);
  std::cerr << "irsa-webhook: unknown command \"" << command << "\"\n\n" << kUsage;
  return kExitUsage;
}

}  // namespace irsa::cli
