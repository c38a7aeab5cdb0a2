#pragma once
// One KubeApiClient::get() or post(): rate token, a pooled or new
// connection, one request/response exchange under a single deadline, and
// `done` exactly once. A GET on a reused keep-alive connection that turns
// out to be dead (the server closed it while idle) is retried once on a
// fresh connection, as Go's transport does for idempotent requests; a POST
// is not, as Go's is not. The credential is acquired
// after the rate token (a request may queue while an exec plugin runs), and
// a 401 is retried once with a fresh credential.

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "kube/ApiClient.hpp"
#include "kube/KubeClientState.hpp"

namespace irsa::kube {

class ApiRequest : public std::enable_shared_from_this<ApiRequest> {
 public:
  using Clock = std::chrono::steady_clock;

  // Never calls `done` before returning.
  // `body` (JSON) is sent when non-empty.
  static void start(std::shared_ptr<KubeClientState> state, boost::beast::http::verb verb, std::string target,
                    std::string body, std::chrono::milliseconds timeout, RateLimit limit,
                    ApiClient::ResponseCallback done);

  struct Token {};
  ApiRequest(Token, std::shared_ptr<KubeClientState> state, boost::beast::http::verb verb, std::string target,
             std::string body, std::chrono::milliseconds timeout, ApiClient::ResponseCallback done);

 private:
  void begin(RateLimit limit);
  void acquireCredential();
  void onCredential(util::Result<Credential> credential);
  void useConnection();
  void connectNew();
  void onConnected(const util::Status& status);
  void sendRequest();
  void onWritten(const boost::system::error_code& ec);
  void onRead(const boost::system::error_code& ec);
  void onTransportError(const boost::system::error_code& ec, const char* step);
  void finish(util::Result<ApiResponse> result);
  util::Error error(const std::string& reason) const;
  util::Error error(const util::Error& cause) const;  // the cause, its code kept

  std::shared_ptr<KubeClientState> state_;
  const boost::beast::http::verb verb_;
  const std::string target_;
  const std::string body_;
  const std::chrono::milliseconds timeout_;
  Clock::time_point deadline_;
  ApiClient::ResponseCallback done_;  // empty once called
  std::optional<boost::asio::steady_timer> rateTimer_;
  std::shared_ptr<KubeConnection> conn_;
  bool reused_{false};       // conn_ came from the pool
  bool retried_{false};      // the one retry on a fresh connection is spent
  bool authRetried_{false};  // the one retry after a 401 is spent
  Credential credential_;
  KubeRequest request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::string_body>> parser_;
};

}  // namespace irsa::kube
