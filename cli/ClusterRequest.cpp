#include "cli/ClusterRequest.hpp"

#include <boost/asio/io_context.hpp>
#include <optional>

#include "kube/KubeApiClient.hpp"

namespace irsa::cli {
namespace {

constexpr std::size_t kQuotedBodyBytes = 300;

}  // namespace

void addClusterFlags(util::FlagSet& flags, ClusterFlags& cluster) {
  flags.addString("kubeconfig", &cluster.kubeconfig,
                  "kubeconfig of the API server (default: in-cluster configuration)");
  flags.addString("kube-context", &cluster.context, "kubeconfig context (default: its current-context)");
  flags.addString("kube-api", &cluster.server,
                  "API server URL, overriding the kubeconfig's or the in-cluster one");
  flags.addDuration("request-timeout", &cluster.timeout, "limit on each request to the API server");
}

util::Result<std::string> getFromCluster(const ClusterFlags& cluster, const std::string& target) {
  kube::ClusterConfigOptions options;
  options.kubeconfigPath = cluster.kubeconfig;
  options.context = cluster.context;
  options.serverOverride = cluster.server;
  auto config = kube::loadClusterConfig(options);
  if (!config) {
    if (cluster.kubeconfig.empty())
      return config.failure().within("in-cluster configuration (outside a cluster, give --kubeconfig)");
    return config.failure();
  }
  boost::asio::io_context ioc;
  kube::KubeApiClientOptions clientOptions;
  clientOptions.userAgent = "irsa-webhook-toolkit";
  clientOptions.accept = "application/json, application/jwk-set+json";
  auto client = kube::KubeApiClient::create(ioc, std::move(*config), clientOptions);
  if (!client) return client.failure();
  std::optional<util::Result<kube::ApiResponse>> answer;
  (*client)->get(target, cluster.timeout, kube::RateLimit::kWait,
                 [&answer](util::Result<kube::ApiResponse> response) { answer = std::move(response); });
  while (!answer && ioc.run_one() > 0) {
  }
  if (!answer) return util::fail("GET " + target + ": no answer");
  if (!*answer) return answer->failure();
  kube::ApiResponse& response = answer->value();
  if (response.status != 200) {
    return util::httpFailure(response.status, "GET " + target + ": HTTP " + std::to_string(response.status) +
                                                  ": " + response.body.substr(0, kQuotedBodyBytes));
  }
  return std::move(response.body);
}

}  // namespace irsa::cli
