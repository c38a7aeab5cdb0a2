#pragma once
// One-shot, blocking GETs against the API server for the toolkit commands
// (`oidc from-cluster`, `trust-policy from-cluster`): the webhook's own
// client (kubeconfig, in-cluster config, exec plugins, TLS) run on a private
// io_context until the answer is in. Not for the server, which never blocks.

#include <chrono>
#include <string>

#include "util/FlagSet.hpp"
#include "util/Result.hpp"

namespace irsa::cli {

struct ClusterFlags {
  std::string kubeconfig;
  std::string context;
  std::string server;
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
};

// --kubeconfig, --kube-context, --kube-api and --request-timeout, named as `serve` names them.
void addClusterFlags(util::FlagSet& flags, ClusterFlags& cluster);

// The body of a 200 answer to GET `target`; any other status is an error
// that quotes the start of the body (the apiserver's Status message).
util::Result<std::string> getFromCluster(const ClusterFlags& cluster, const std::string& target);

}  // namespace irsa::cli
