#pragma once
// `serve`'s command line: every flag bound to one struct, the types checked
// as they are parsed (util::FlagSet), then one validate() for what relates
// flags to each other or needs more than a flag's own value.

#include <chrono>
#include <string>

#include "cli/MutationFlags.hpp"
#include "server/ServerConfig.hpp"
#include "util/FlagSet.hpp"
#include "util/LogOptions.hpp"

namespace irsa::cli {

// Flags of the reference that have no effect here, parsed so that existing
// manifests still start.
struct ReferenceOnlyFlags {
  std::string serviceName{"pod-identity-webhook"};
  std::string tlsSecret{"pod-identity-webhook"};
  bool inCluster{false};
  // client-go informers re-deliver every object each period; the watch keeps
  // this cache exact, so there is nothing to resync.
  std::chrono::milliseconds resyncPeriod{std::chrono::seconds(60)};
};

struct ServeFlags {
  // All but `mutation` and `containerCredentialsConfigFile`, which serverConfig() fills from `mutation`.
  server::ServerConfig server;
  MutationFlags mutation;
  util::LogOptions log;
  ReferenceOnlyFlags reference;
  bool composeRoleArn{false};  // read from instance metadata once validated
  bool version{false};         // a bool flag in the reference, so `--version=false` serves
};

void addServeFlags(util::FlagSet& flags, ServeFlags& parsed);

// The checks after parsing; the first failure, as one line for the user.
util::Status validate(const ServeFlags& parsed);

// The server's configuration from validated flags.
server::ServerConfig serverConfig(ServeFlags parsed);

}  // namespace irsa::cli
