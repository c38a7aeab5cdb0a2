#include "cli/ClusterClient.hpp"

#include <optional>

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

util::Result<std::unique_ptr<ClusterClient>> ClusterClient::create(const ClusterFlags& flags) {
  kube::ClusterConfigOptions options;
  options.kubeconfigPath = flags.kubeconfig;
  options.context = flags.context;
  options.serverOverride = flags.server;
  auto config = kube::loadClusterConfig(options);
  if (!config) {
    if (flags.kubeconfig.empty()) {
      return config.failure().within("in-cluster configuration (outside a cluster, give --kubeconfig)");
    }
    return config.failure();
  }
  auto cluster = std::make_unique<ClusterClient>(Token{}, flags.timeout);
  kube::KubeApiClientOptions clientOptions;
  clientOptions.userAgent = "irsa-webhook-toolkit";
  clientOptions.accept = "application/json, application/jwk-set+json";
  auto client = kube::KubeApiClient::create(cluster->ioc_, std::move(*config), clientOptions);
  if (!client) return client.failure();
  cluster->client_ = std::move(*client);
  return cluster;
}

util::Result<std::string> ClusterClient::get(const std::string& target) {
  return exchange("GET " + target, [&](kube::ApiClient::ResponseCallback done) {
    client_->get(target, timeout_, kube::RateLimit::kWait, std::move(done));
  });
}

util::Result<std::string> ClusterClient::post(const std::string& target, std::string body) {
  return exchange("POST " + target, [&](kube::ApiClient::ResponseCallback done) {
    client_->post(target, std::move(body), timeout_, kube::RateLimit::kWait, std::move(done));
  });
}

util::Result<std::string> ClusterClient::exchange(
    const std::string& what, const std::function<void(kube::ApiClient::ResponseCallback)>& send) {
  std::optional<util::Result<kube::ApiResponse>> answer;
  send([&answer](util::Result<kube::ApiResponse> response) { answer = std::move(response); });
  ioc_.restart();
  while (!answer && ioc_.run_one() > 0) {
  }
  if (!answer) return util::fail(what + ": no answer");
  if (!*answer) return answer->failure();
  kube::ApiResponse& response = answer->value();
  if (response.status != 200 && response.status != 201) {
    return util::httpFailure(response.status, what + ": HTTP " + std::to_string(response.status) + ": " +
                                                  response.body.substr(0, kQuotedBodyBytes));
  }
  return std::move(response.body);
}

}  // namespace irsa::cli
