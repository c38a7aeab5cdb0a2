// `irsa-bench`: subcommand dispatch.
#include <iostream>

#include "bench/Commands.hpp"

#ifndef IRSA_VERSION
#define IRSA_VERSION "dev"
#endif

namespace irsa::bench {
namespace {

constexpr const char* kUsage =
    "irsa-bench: load generator and request corpus for irsa-webhook\n"
    "\n"
    "Usage: irsa-bench <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  corpus      generate AdmissionReview requests, ServiceAccounts and cluster manifests\n"
    "  run         send the corpus at a fixed rate (open loop) or as fast as possible (--rate 0)\n"
    "  saturate    find the highest rate held under a p99 latency bound\n"
    "  storm       open many TLS connections at once, one request each\n"
    "  handshakes  full TLS handshakes per second (connect, handshake, one request, close)\n"
    "  version     print the version\n"
    "\n"
    "Run 'irsa-bench <command> --help' for a command's flags. See bench/README.md.\n";

}  // namespace

int benchMain(const std::vector<std::string>& all) {
  if (all.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string& command = all.front();
  const std::vector<std::string> args(all.begin() + 1, all.end());
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "version" || command == "--version") {
    std::cout << "irsa-bench " << IRSA_VERSION << "\n";
    return kExitOk;
  }
  if (command == "corpus") return corpusCommand(args);
  if (command == "run") return runCommand(args);
  if (command == "saturate") return saturateCommand(args);
  if (command == "storm") return stormCommand(args);
  if (command == "handshakes") return handshakesCommand(args);
  std::cerr << "irsa-bench: unknown command \"" << command << "\"\n\n" << kUsage;
  return kExitUsage;
}

}  // namespace irsa::bench
