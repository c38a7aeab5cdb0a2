#include "kube/KubeClientState.hpp"

#include <boost/beast/http/field.hpp>
#include <vector>

namespace irsa::kube {

namespace http = boost::beast::http;

KubeClientState::KubeClientState(boost::asio::any_io_executor ex, std::shared_ptr<const KubeEndpoint> ep,
                                 std::string base, std::shared_ptr<CredentialProvider> creds,
                                 KubeApiClientOptions opts)
    : executor(std::move(ex)),
      endpoint(std::move(ep)),
      basePath(std::move(base)),
      options(std::move(opts)),
      credentials(std::move(creds)),
      limiter(options.qps, options.burst),
      pool(options.maxIdleConnections, options.idleConnectionTimeout) {}

KubeRequest KubeClientState::buildRequest(http::verb verb, std::string_view target, std::string_view body,
                                          const Credential& credential) const {
  KubeRequest req{verb, basePath + std::string(target), 11};
  req.set(http::field::host, endpoint->hostHeader);
  req.set(http::field::user_agent, options.userAgent);
  req.set(http::field::accept, options.accept);
  if (!credential.token.empty()) req.set(http::field::authorization, "Bearer " + credential.token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = std::string(body);
    req.prepare_payload();
  }
  req.keep_alive(true);
  return req;
}

std::uint64_t KubeClientState::addWatch(std::weak_ptr<ApiClient::Stream> watch) {
  std::lock_guard lock(watchesMutex_);
  const std::uint64_t id = nextWatchId_++;
  watches_.emplace(id, std::move(watch));
  return id;
}

void KubeClientState::removeWatch(std::uint64_t id) {
  std::lock_guard lock(watchesMutex_);
  watches_.erase(id);
}

void KubeClientState::cancelWatches() {
  std::vector<std::shared_ptr<ApiClient::Stream>> open;
  {
    std::lock_guard lock(watchesMutex_);
    for (auto& [id, weak] : watches_) {
      if (auto watch = weak.lock()) open.push_back(std::move(watch));
    }
  }
  for (auto& watch : open)
    watch->cancel();  // outside the lock: cancel() may re-enter removeWatch()
}

}  // namespace irsa::kube
