#include "kube/WatchStream.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <exception>

#include "kube/GuardedCallback.hpp"
#include "util/Log.hpp"

namespace irsa::kube {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr std::uint32_t kMaxResponseHeaderBytes = 64 * 1024;
// A refusal (403, 410 Gone...) is a small Status object; keep enough to log it.
constexpr std::size_t kMaxErrorBodyBytes = std::size_t{4} * 1024;
}  // namespace

std::shared_ptr<WatchStream> WatchStream::start(std::shared_ptr<KubeClientState> state, std::string target,
                                                std::chrono::milliseconds idleTimeout,
                                                ApiClient::LineCallback onLine,
                                                ApiClient::CloseCallback onClose) {
  auto stream = std::make_shared<WatchStream>(Token{}, std::move(state), std::move(target), idleTimeout,
                                              std::move(onLine), std::move(onClose));
  stream->registryId_ = stream->state_->addWatch(stream);
  net::post(stream->conn_->executor(), [stream] { stream->begin(); });
  return stream;
}

WatchStream::WatchStream(Token, std::shared_ptr<KubeClientState> state, std::string target,
                         std::chrono::milliseconds idleTimeout, ApiClient::LineCallback onLine,
                         ApiClient::CloseCallback onClose)
    : state_(std::move(state)),
      target_(std::move(target)),
      idleTimeout_(idleTimeout),
      onLine_(std::move(onLine)),
      onClose_(std::move(onClose)),
      conn_(KubeConnection::create(state_->executor, state_->endpoint)),
      rateTimer_(conn_->executor()) {}

util::Error WatchStream::error(const std::string& reason) const {
  return util::fail("watch " + target_ + ": " + reason);
}

util::Error WatchStream::error(const util::Error& cause) const {
  return cause.within("watch " + target_);
}

util::Error WatchStream::httpError(const std::string& body) const {
  std::string reason = "HTTP " + std::to_string(status_);
  if (!body.empty()) reason += ": " + body;
  return util::httpFailure(status_, std::move(error(reason).message));
}

void WatchStream::cancel() {
  net::post(conn_->executor(), [self = shared_from_this()] {
    if (!self->onClose_) return;
    self->cancelled_ = true;
    // Whatever is pending completes with operation_aborted and finishes.
    self->rateTimer_.cancel();
    self->conn_->close();
  });
}

void WatchStream::begin() {
  if (cancelled_) return finish(error("cancelled"));
  // Watches queue for a token like any request; a watch has no deadline.
  const auto wait = state_->limiter.reserve(std::chrono::steady_clock::duration::max());
  if (!wait || *wait == std::chrono::steady_clock::duration::zero()) return acquireCredential();
  rateTimer_.expires_after(*wait);
  rateTimer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
    if (self->cancelled_) return self->finish(self->error("cancelled"));
    self->acquireCredential();
  });
}

void WatchStream::acquireCredential() {
  // A queued answer arrives on the connection's strand, like every other step.
  auto now = state_->credentials->acquire(
      conn_->executor(),
      [self = shared_from_this()](util::Result<Credential> c) { self->onCredential(std::move(c)); });
  if (now) onCredential(std::move(*now));
}

void WatchStream::onCredential(util::Result<Credential> credential) {
  if (cancelled_) return finish(error("cancelled"));
  if (!credential) return finish(error(credential.failure()));
  credential_ = std::move(*credential);
  connect();
}

void WatchStream::connect() {
  conn_->connect(std::chrono::steady_clock::now() + state_->options.connectTimeout,
                 [self = shared_from_this()](const util::Status& status) { self->onConnected(status); });
}

void WatchStream::onConnected(const util::Status& status) {
  if (cancelled_) return finish(error("cancelled"));
  if (!status) return finish(error(status.failure()));
  request_ = state_->buildRequest(http::verb::get, target_, {}, credential_);
  conn_->tcp().expires_after(idleTimeout_);
  http::async_write(
      conn_->stream(), request_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->onWritten(ec); });
}

void WatchStream::onWritten(const boost::system::error_code& ec) {
  if (ec) return finish(error("write request: " + readError(ec)));
  parser_.emplace();
  parser_->header_limit(kMaxResponseHeaderBytes);
  parser_->body_limit(boost::none);  // a watch is unbounded; each line is bounded in deliver()
  conn_->tcp().expires_after(idleTimeout_);
  http::async_read_header(conn_->stream(), conn_->buffer(), *parser_,
                          [self = shared_from_this()](const boost::system::error_code& rec, std::size_t) {
                            self->onHeader(rec);
                          });
}

void WatchStream::onHeader(const boost::system::error_code& ec) {
  if (ec) return finish(error("read response header: " + readError(ec)));
  status_ = static_cast<int>(parser_->get().result_int());
  // Refused credential: the next watch (after the caller's backoff) gets a fresh one.
  if (status_ == 401) state_->credentials->invalidate(credential_);
  if (parser_->is_done()) {  // no body at all
    if (status_ == 200) return finish(util::okStatus());
    return finish(httpError(""));
  }
  readBody();
}

void WatchStream::readBody() {
  auto& body = parser_->get().body();
  body.data = chunk_.data();
  body.size = chunk_.size();
  body.more = true;
  conn_->tcp().expires_after(idleTimeout_);
  http::async_read_some(
      conn_->stream(), conn_->buffer(), *parser_,
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) { self->onBody(ec); });
}

void WatchStream::onBody(const boost::system::error_code& readEc) {
  // need_buffer only says chunk_ is full: its bytes are good.
  const boost::system::error_code ec =
      readEc == http::error::need_buffer ? boost::system::error_code{} : readEc;
  if (ec) return finish(error("read: " + readError(ec)));
  const std::size_t got = chunk_.size() - parser_->get().body().size;
  if (status_ == 200) {
    if (!deliver(chunk_.data(), got)) return;
  } else {
    errorBody_.append(chunk_.data(), std::min(got, kMaxErrorBodyBytes - errorBody_.size()));
  }
  if (parser_->is_done() || (status_ != 200 && errorBody_.size() >= kMaxErrorBodyBytes)) {
    if (status_ != 200) {
      while (!errorBody_.empty() && std::isspace(static_cast<unsigned char>(errorBody_.back())))
        errorBody_.pop_back();
      return finish(httpError(errorBody_));
    }
    if (!partial_.empty() && !emitLine(partial_)) return;  // a last line without '\n'
    partial_.clear();
    return finish(util::okStatus());
  }
  readBody();
}

bool WatchStream::deliver(const char* data, std::size_t n) {
  std::string_view rest(data, n);
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(rest);
      break;
    }
    bool ok = true;
    if (partial_.empty()) {
      ok = emitLine(rest.substr(0, nl));  // the common case: no copy
    } else {
      partial_.append(rest.substr(0, nl));
      ok = emitLine(partial_);
      partial_.clear();
    }
    if (!ok) return false;
    rest.remove_prefix(nl + 1);
  }
  if (partial_.size() > state_->options.maxWatchEventBytes) {
    finish(error("watch event exceeds " + std::to_string(state_->options.maxWatchEventBytes) + " bytes"));
    return false;
  }
  return true;
}

bool WatchStream::emitLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty() || !onClose_ || cancelled_) return onClose_ != nullptr;
  if (line.size() > state_->options.maxWatchEventBytes) {
    finish(error("watch event exceeds " + std::to_string(state_->options.maxWatchEventBytes) + " bytes"));
    return false;
  }
  try {
    onLine_(line);
    return true;
  } catch (const std::exception& e) {
    finish(error(std::string("line callback threw: ") + e.what()));
  } catch (...) {
    finish(error("line callback threw"));
  }
  return false;
}

std::string WatchStream::readError(const boost::system::error_code& ec) const {
  if (cancelled_) return "cancelled";
  if (ec == beast::error::timeout)
    return "no data for " + std::to_string(idleTimeout_.count()) + "ms (idle timeout)";
  return ec.message();
}

void WatchStream::finish(util::Status status) {
  if (!onClose_) return;
  if (cancelled_) status = error("cancelled");
  auto onClose = std::move(onClose_);
  onClose_ = nullptr;
  onLine_ = nullptr;
  conn_->close();
  state_->removeWatch(registryId_);
  runGuardedCallback(target_, [&] { onClose(std::move(status)); });
}

}  // namespace irsa::kube
