// `irsa-webhook serve`: flags -> ServerConfig -> Server.
#include <iostream>
#include <optional>

#include "aws/InstanceMetadata.hpp"
#include "certs/TlsContextFactory.hpp"
#include "cli/Commands.hpp"
#include "cli/ServeFlags.hpp"
#include "server/Server.hpp"
#include "util/FlagSet.hpp"
#include "util/Log.hpp"

namespace irsa::cli {
namespace {

int usageError(const std::string& message) {
  std::cerr << "irsa-webhook serve: " << message << "\n";
  return kExitUsage;
}

// What parsing accepted but the operator should know, once the log is set up.
void logStartWarnings(const util::FlagSet& flags, const server::ServerConfig& config) {
  for (const auto& warning : flags.warnings()) {
    util::Log::warn("Ignoring command-line argument",
                    {{"argument", warning.argument}, {"reason", warning.message}});
  }
  for (const auto& flag : flags.noEffectSet()) {
    util::Log::info("Flag has no effect here", {{"flag", "--" + flag.name}, {"reason", flag.why}});
  }
  if (certs::isBelowTlsFloor(config.tlsMinVersion)) {
    util::Log::warn("TLS minimum version raised to 1.2",
                    {{"requested", config.tlsMinVersion},
                     {"used", "1.2"},
                     {"reason", "TLS 1.0 and 1.1 are not offered; the floor stays TLS 1.2"}});
  }
}

// --compose-role-arn: read once at start, like the reference; a clear error
// (reported here) when not on EC2.
std::optional<webhook::RoleArnComposition> roleArnComposition() {
  auto composition = aws::composeFromInstanceMetadata(aws::InstanceMetadataOptions::fromEnvironment());
  if (!composition) {
    std::cerr << "irsa-webhook serve: --compose-role-arn: " << composition.error() << "\n";
    return std::nullopt;
  }
  util::Log::info("Composing role ARNs from instance metadata", {{"account", composition->account},
                                                                 {"region", composition->region},
                                                                 {"partition", composition->partition}});
  return std::move(*composition);
}

}  // namespace

int serveCommand(const std::vector<std::string>& args) {
  ServeFlags parsed;
  util::FlagSet flags("serve");
  flags.positional(util::FlagSet::Positional::kWarn);  // pflag leaves them, and the reference ignores them
  addServeFlags(flags, parsed);
  if (auto status = flags.parse(args); !status) return usageError(status.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (parsed.version) return versionCommand();
  if (auto status = validate(parsed); !status) return usageError(status.error());
  util::LogSettings logSettings = util::parseLogOptions(parsed.log).value();  // validate() parsed it
  logSettings.binaryDescription = std::string("irsa-webhook ") + IRSA_VERSION;
  if (auto status = util::Log::configure(logSettings); !status) {
    std::cerr << "irsa-webhook serve: " << status.error() << "\n";
    return kExitFailure;
  }
  const bool composeRoleArn = parsed.composeRoleArn;
  server::ServerConfig config = serverConfig(std::move(parsed));
  logStartWarnings(flags, config);
  if (composeRoleArn) {
    auto composition = roleArnComposition();
    if (!composition) return kExitFailure;
    config.mutation.composeRoleArn = std::move(*composition);
  }

  auto server = server::Server::create(std::move(config));
  if (!server) {
    util::Log::error("Start failed", {{"err", server.error()}});
    std::cerr << "irsa-webhook serve: " << server.error() << "\n";
    return kExitFailure;
  }
  return (*server)->run();
}

}  // namespace irsa::cli
