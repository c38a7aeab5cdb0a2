#pragma once
// Blocking requests to the API server for the toolkit commands (`oidc
// from-cluster`, `trust-policy from-cluster`, `doctor --service-account`):
// the webhook's own client
// (kubeconfig, in-cluster config, exec plugins, TLS) on a private io_context,
// run until each answer is in. One per command, so the configuration is read
// once and a connection serves every request. Not for the server, which
// never blocks.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "kube/KubeApiClient.hpp"
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

class ClusterClient {
 public:
  // Fails for a configuration that cannot be loaded or used.
  static util::Result<std::unique_ptr<ClusterClient>> create(const ClusterFlags& flags);

  // The body of a 200 answer to GET `target`; any other status is an error
  // that quotes the start of the body (the apiserver's Status message).
  util::Result<std::string> get(const std::string& target);

  // The body of a 200 or 201 answer to POST `body` (JSON) to `target`;
  // other statuses fail as for get().
  util::Result<std::string> post(const std::string& target, std::string body);

  struct Token {};  // construction goes through create()
  ClusterClient(Token, std::chrono::milliseconds timeout) : timeout_(timeout) {}

 private:
  // Starts one request with the callback given, runs the io_context until it
  // is answered, and checks the status.
  util::Result<std::string> exchange(const std::string& what,
                                     const std::function<void(kube::ApiClient::ResponseCallback)>& send);

  std::chrono::milliseconds timeout_;
  boost::asio::io_context ioc_;  // before client_: it outlives the client's handlers
  std::unique_ptr<kube::KubeApiClient> client_;
};

}  // namespace irsa::cli
