#pragma once
// What KubeApiClient shares with its in-flight ApiRequests and
// WatchStreams: each operation holds a shared_ptr, so the client can be
// destroyed while they finish.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "kube/ApiClient.hpp"
#include "kube/ConnectionPool.hpp"
#include "kube/CredentialProvider.hpp"
#include "kube/KubeApiClient.hpp"
#include "kube/KubeConnection.hpp"
#include "kube/RateLimiter.hpp"

namespace irsa::kube {

using KubeRequest = boost::beast::http::request<boost::beast::http::string_body>;

struct KubeClientState {
  KubeClientState(boost::asio::any_io_executor ex, std::shared_ptr<const KubeEndpoint> ep, std::string base,
                  std::shared_ptr<CredentialProvider> creds, KubeApiClientOptions opts);

  // The request for `target` with Host, User-Agent, Accept and
  // Authorization (when `credential` has a token); a non-empty `body` goes
  // with Content-Type application/json and its Content-Length.
  KubeRequest buildRequest(boost::beast::http::verb verb, std::string_view target, std::string_view body,
                           const Credential& credential) const;

  // Registry of open watches, so ~KubeApiClient can cancel them.
  std::uint64_t addWatch(std::weak_ptr<ApiClient::Stream> watch);
  void removeWatch(std::uint64_t id);
  void cancelWatches();

  const boost::asio::any_io_executor executor;
  const std::shared_ptr<const KubeEndpoint> endpoint;
  const std::string basePath;
  const KubeApiClientOptions options;
  const std::shared_ptr<CredentialProvider> credentials;
  RateLimiter limiter;
  ConnectionPool pool;

 private:
  std::mutex watchesMutex_;
  std::map<std::uint64_t, std::weak_ptr<ApiClient::Stream>> watches_;  // guarded by watchesMutex_
  std::uint64_t nextWatchId_{1};                                       // guarded by watchesMutex_
};

}  // namespace irsa::kube
