#include "kube/ApiRequest.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <exception>

#include "kube/GuardedCallback.hpp"
#include "util/Log.hpp"

namespace irsa::kube {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// Kubernetes response headers are small; this only stops a runaway server.
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;
}  // namespace

void ApiRequest::start(std::shared_ptr<KubeClientState> state, http::verb verb, std::string target,
                       std::string body, std::chrono::milliseconds timeout, RateLimit limit,
                       ApiClient::ResponseCallback done) {
  auto request = std::make_shared<ApiRequest>(Token{}, std::move(state), verb, std::move(target),
                                              std::move(body), timeout, std::move(done));
  request->begin(limit);
}

ApiRequest::ApiRequest(Token, std::shared_ptr<KubeClientState> state, http::verb verb, std::string target,
                       std::string body, std::chrono::milliseconds timeout, ApiClient::ResponseCallback done)
    : state_(std::move(state)),
      verb_(verb),
      target_(std::move(target)),
      body_(std::move(body)),
      timeout_(timeout),
      done_(std::move(done)) {}

util::Error ApiRequest::error(const std::string& reason) const {
  return util::fail(std::string(http::to_string(verb_)) + " " + target_ + ": " + reason);
}

util::Error ApiRequest::error(const util::Error& cause) const {
  return cause.within(std::string(http::to_string(verb_)) + " " + target_);
}

void ApiRequest::begin(RateLimit limit) {
  // The deadline covers the wait for a rate token too, as a Go context would.
  deadline_ = Clock::now() + timeout_;
  auto self = shared_from_this();
  if (limit == RateLimit::kSkipIfLimited) {
    if (!state_->limiter.tryAcquire()) {
      // Posted so `done` never runs inside get() (the caller may hold a lock).
      net::post(state_->executor, [self] {
        self->finish(util::fail(util::ErrorCode::kRateLimited, std::string(kRateLimitedError)));
      });
      return;
    }
    return acquireCredential();
  }
  const auto wait = state_->limiter.reserve(timeout_);
  if (!wait) {
    net::post(state_->executor, [self] {
      self->finish(self->error("waiting for a client-side rate limit token would exceed the " +
                               std::to_string(self->timeout_.count()) + "ms timeout"));
    });
    return;
  }
  if (*wait == Clock::duration::zero()) return acquireCredential();
  rateTimer_.emplace(state_->executor);
  rateTimer_->expires_after(*wait);
  rateTimer_->async_wait([self](const boost::system::error_code&) { self->acquireCredential(); });
}

void ApiRequest::acquireCredential() {
  auto now = state_->credentials->acquire(
      state_->executor,
      [self = shared_from_this()](util::Result<Credential> c) { self->onCredential(std::move(c)); });
  if (now) onCredential(std::move(*now));
}

void ApiRequest::onCredential(util::Result<Credential> credential) {
  if (!credential) return finish(error(credential.failure()));
  if (Clock::now() >= deadline_) {
    return finish(
        error("timed out after " + std::to_string(timeout_.count()) + "ms (waiting for a credential)"));
  }
  credential_ = std::move(*credential);
  useConnection();
}

void ApiRequest::useConnection() {
  conn_ = state_->pool.take();
  if (!conn_) return connectNew();
  reused_ = true;
  net::dispatch(conn_->executor(), [self = shared_from_this()] { self->sendRequest(); });
}

void ApiRequest::connectNew() {
  reused_ = false;
  conn_ = KubeConnection::create(state_->executor, state_->endpoint);
  const auto connectDeadline = std::min(deadline_, Clock::now() + state_->options.connectTimeout);
  net::dispatch(conn_->executor(), [self = shared_from_this(), connectDeadline] {
    self->conn_->connect(connectDeadline, [self](const util::Status& status) { self->onConnected(status); });
  });
}

void ApiRequest::onConnected(const util::Status& status) {
  if (!status) return finish(error(status.failure()));
  sendRequest();
}

void ApiRequest::sendRequest() {
  request_ = state_->buildRequest(verb_, target_, body_, credential_);
  conn_->tcp().expires_at(deadline_);
  http::async_write(
      conn_->stream(), request_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->onWritten(ec); });
}

void ApiRequest::onWritten(const boost::system::error_code& ec) {
  if (ec) return onTransportError(ec, "write request");
  parser_.emplace();
  parser_->header_limit(kMaxResponseHeaderBytes);
  parser_->body_limit(state_->options.maxResponseBytes);
  http::async_read(
      conn_->stream(), conn_->buffer(), *parser_,
      [self = shared_from_this()](const boost::system::error_code& rec, std::size_t) { self->onRead(rec); });
}

void ApiRequest::onRead(const boost::system::error_code& ec) {
  if (ec) return onTransportError(ec, "read response");
  auto& res = parser_->get();
  ApiResponse response{static_cast<int>(res.result_int()), std::move(res.body())};
  const bool reusable = res.keep_alive() && conn_->buffer().size() == 0;
  parser_.reset();
  if (reusable) {
    conn_->tcp().expires_never();
    state_->pool.put(std::move(conn_));
  } else {
    conn_->close();
  }
  conn_.reset();
  if (response.status == 401 && !authRetried_ && state_->credentials->invalidate(credential_)) {
    // The token expired or was revoked early: once with a fresh one.
    authRetried_ = true;
    util::Log::debug("API server answered 401, retrying with a fresh credential", {{"target", target_}});
    return acquireCredential();
  }
  finish(std::move(response));
}

void ApiRequest::onTransportError(const boost::system::error_code& ec, const char* step) {
  const bool nothingReceived = !parser_ || !parser_->got_some();
  conn_->close();
  if (ec == beast::error::timeout) {
    return finish(error("timed out after " + std::to_string(timeout_.count()) + "ms (" + step + ")"));
  }
  if (ec == http::error::body_limit) {
    return finish(
        error("response body exceeds " + std::to_string(state_->options.maxResponseBytes) + " bytes"));
  }
  const bool idempotent = verb_ == http::verb::get;
  if (idempotent && reused_ && !retried_ && nothingReceived && Clock::now() < deadline_) {
    // A keep-alive connection the server closed while it sat idle.
    retried_ = true;
    parser_.reset();
    util::Log::debug("API request retried on a new connection", {{"target", target_}, {"err", ec.message()}});
    return connectNew();
  }
  finish(error(std::string(step) + ": " + ec.message()));
}

void ApiRequest::finish(util::Result<ApiResponse> result) {
  if (!done_) return;
  auto done = std::move(done_);
  done_ = nullptr;
  conn_.reset();
  runGuardedCallback(target_, [&] { done(std::move(result)); });
}

}  // namespace irsa::kube
