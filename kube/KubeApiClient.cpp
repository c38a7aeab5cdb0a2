#include "kube/KubeApiClient.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "kube/ApiRequest.hpp"
#include "kube/ExecCredentialProvider.hpp"
#include "kube/KubeClientState.hpp"
#include "kube/KubeTls.hpp"
#include "kube/ServerUrl.hpp"
#include "kube/TokenSource.hpp"
#include "kube/WatchStream.hpp"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX leaves it undeclared

namespace irsa::kube {

namespace {

bool validPort(const std::string& port) {
  if (port.empty() || port.size() > 5) return false;
  if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
    return false;
  const int n = std::stoi(port);
  return n > 0 && n <= 65535;
}

// The webhook's environment for an exec plugin, copied while the client is
// created at start-up (STYLE.md rule 7: nothing reads it later).
std::vector<std::string> processEnvironment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e)
    out.emplace_back(*e);
  return out;
}

}  // namespace

util::Result<std::unique_ptr<KubeApiClient>> KubeApiClient::create(boost::asio::io_context& ioc,
                                                                   ClusterConfig config,
                                                                   KubeApiClientOptions options) {
  if (config.host.empty()) return util::fail("kube client: no API server host");
  if (!validPort(config.port))
    return util::fail("kube client: invalid API server port \"" + config.port + "\"");
  if (!config.basePath.empty() && config.basePath.front() != '/') config.basePath.insert(0, "/");
  while (!config.basePath.empty() && config.basePath.back() == '/')
    config.basePath.pop_back();
  if (options.maxResponseBytes == 0 || options.maxWatchEventBytes == 0) {
    return util::fail("kube client: response limits must be positive");
  }

  auto tls = makeKubeTlsContext(config);
  if (!tls) return tls.failure().within("kube client");
  auto endpoint = std::make_shared<KubeEndpoint>();
  endpoint->host = config.host;
  endpoint->port = config.port;
  endpoint->serverName = config.tlsServerName.empty() ? config.host : config.tlsServerName;
  endpoint->hostHeader = joinHostPort(config.host, config.port);
  endpoint->verifyPeer = !config.insecureSkipTlsVerify;
  endpoint->tls = std::move(*tls);

  std::shared_ptr<CredentialProvider> credentials;
  if (config.exec) {
    if (!config.bearerToken.empty() || !config.tokenFile.empty()) {
      return util::fail("kube client: give an exec credential plugin or a token, not both");
    }
    const std::string server = "https://" + joinHostPort(config.host, config.port) + config.basePath;
    credentials = std::make_shared<ExecCredentialProvider>(*config.exec, config, server, processEnvironment(),
                                                           options.exec);
  } else {
    auto tokens =
        std::make_shared<TokenSource>(config.bearerToken, config.tokenFile, options.tokenRecheckInterval);
    // Read the token once now, so a missing token file fails at start-up
    // rather than on the first request. (A plugin runs on first use, as in client-go.)
    if (auto token = tokens->current(); !token) return token.failure().within("kube client");
    credentials = std::move(tokens);
  }
  auto state = std::make_shared<KubeClientState>(ioc.get_executor(), std::move(endpoint), config.basePath,
                                                 std::move(credentials), std::move(options));
  return std::unique_ptr<KubeApiClient>(new KubeApiClient(std::move(state)));
}

KubeApiClient::KubeApiClient(std::shared_ptr<KubeClientState> state) : state_(std::move(state)) {}

KubeApiClient::~KubeApiClient() {
  state_->cancelWatches();
  state_->pool.clear();
}

void KubeApiClient::get(std::string target, std::chrono::milliseconds timeout, RateLimit limit,
                        ResponseCallback done) {
  ApiRequest::start(state_, boost::beast::http::verb::get, std::move(target), {}, timeout, limit,
                    std::move(done));
}

void KubeApiClient::post(std::string target, std::string body, std::chrono::milliseconds timeout,
                         RateLimit limit, ResponseCallback done) {
  ApiRequest::start(state_, boost::beast::http::verb::post, std::move(target), std::move(body), timeout,
                    limit, std::move(done));
}

std::shared_ptr<ApiClient::Stream> KubeApiClient::watch(std::string target,
                                                        std::chrono::milliseconds idleTimeout,
                                                        LineCallback onLine, CloseCallback onClose) {
  return WatchStream::start(state_, std::move(target), idleTimeout, std::move(onLine), std::move(onClose));
}

std::size_t KubeApiClient::idleConnections() const {
  return state_->pool.idleCount();
}

}  // namespace irsa::kube
