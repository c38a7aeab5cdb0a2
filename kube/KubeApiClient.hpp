#pragma once
// The HTTPS ApiClient: Beast + OpenSSL against one API server.
//
//   get(), post(): rate token -> idle keep-alive connection or
//            resolve+connect+TLS -> write -> read (body limit), all under one
//            per-request deadline.
//   watch(): rate token -> its own connection -> chunked body read as it
//            arrives, split into lines; an idle timeout re-armed on each read.
//
// Thread-safety: every method may be called from any thread. Callbacks run
// on the io_context's threads (a connection's strand) and must not block.
//
// Lifetime: in-flight operations share the client's state, so destroying
// the client is safe at any time: it drops idle connections and cancels open
// watches (their onClose runs with "cancelled"); GETs in flight still finish
// within their timeout and call `done`. Callbacks therefore may run after
// the client is gone, so their captures must stay valid (or be weak). Keep
// running the io_context until they have run: destroying or stopping it
// earlier drops pending operations without calling their callbacks.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "kube/ApiClient.hpp"
#include "kube/ClusterConfig.hpp"
#include "kube/ExecCredentialProvider.hpp"
#include "util/Result.hpp"

namespace irsa::kube {

struct KubeClientState;

struct KubeApiClientOptions {
  // client-go's defaults for controllers are 5/10; a cache's LIST+WATCH plus
  // per-pod lookups of new ServiceAccounts want more headroom.
  double qps = 50;  // <= 0: no client-side limit
  int burst = 100;
  std::chrono::milliseconds connectTimeout{std::chrono::seconds(5)};  // resolve + TCP + TLS
  std::size_t maxIdleConnections = 4;
  std::chrono::milliseconds idleConnectionTimeout{std::chrono::seconds(90)};  // Go's IdleConnTimeout
  std::size_t maxResponseBytes = std::size_t{256} * 1024 * 1024;              // a LIST page can be large
  std::size_t maxWatchEventBytes = std::size_t{16} * 1024 * 1024;             // one line of a watch
  std::chrono::milliseconds tokenRecheckInterval{std::chrono::seconds(1)};    // tokenFile stat() period
  ExecCredentialOptions exec;                                                 // a kubeconfig exec plugin
  std::string userAgent = "irsa-webhook";
  // The Accept header of every request. The apiserver serves /openid/v1/jwks
  // only as application/jwk-set+json, so the toolkit's client adds that.
  std::string accept = "application/json";
};

class KubeApiClient : public ApiClient {
 public:
  // Fails for an unusable config: no host, bad port, a CA or client
  // certificate that does not parse, an unreadable token file. An exec
  // plugin runs on first use, not here. A request answered 401 gets its
  // credential invalidated and is retried once with a fresh one.
  static util::Result<std::unique_ptr<KubeApiClient>> create(boost::asio::io_context& ioc,
                                                             ClusterConfig config,
                                                             KubeApiClientOptions options);

  ~KubeApiClient() override;
  KubeApiClient(const KubeApiClient&) = delete;
  KubeApiClient& operator=(const KubeApiClient&) = delete;

  // Transport errors read "GET <target>: <reason>"; kSkipIfLimited with no
  // free token fails at once with ErrorCode::kRateLimited.
  void get(std::string target, std::chrono::milliseconds timeout, RateLimit limit,
           ResponseCallback done) override;

  // POST of a JSON `body` (e.g. a TokenRequest), otherwise as get(); errors
  // read "POST <target>: <reason>". Not retried on a dead keep-alive
  // connection: a POST is not idempotent. Only the toolkit posts, so it is
  // not part of the ApiClient the cache uses.
  void post(std::string target, std::string body, std::chrono::milliseconds timeout, RateLimit limit,
            ResponseCallback done);

  // Errors read "watch <target>: <reason>", e.g. "watch /x: HTTP 403: {...}".
  std::shared_ptr<Stream> watch(std::string target, std::chrono::milliseconds idleTimeout,
                                LineCallback onLine, CloseCallback onClose) override;

  // Idle keep-alive connections now (for tests and metrics).
  std::size_t idleConnections() const;

 private:
  explicit KubeApiClient(std::shared_ptr<KubeClientState> state);
  std::shared_ptr<KubeClientState> state_;
};

}  // namespace irsa::kube
