#pragma once
// One HTTP/1.1 connection, plain or TLS, on its own strand (the Beast
// examples' shape: do_x -> on_x pairs, each step re-arming its timeout).
//
//   [TLS handshake] -> wait for bytes (idle timeout) -> header (header
//   timeout) -> body (body timeout) -> route -> write (write timeout) -> ...
//
// Bounds: header and body size limits on the parser, a timeout on every
// step, a drain that answers the request in flight with `Connection: close`
// and closes idle connections at once, and, until its first request's
// header is in, eviction by a newer connection at --max-connections
// (ConnectionTracker).

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>

#include "server/ConnectionTracker.hpp"
#include "server/Http.hpp"
#include "server/Metrics.hpp"
#include "server/RequestReading.hpp"
#include "server/Router.hpp"
#include "server/ServerConfig.hpp"
#include "server/SessionErrors.hpp"
#include "util/Log.hpp"

namespace irsa::server {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

// What every session of a listener shares; outlives all sessions.
struct SessionEnv {
  const Router& router;
  const ServerLimits& limits;
  Metrics& metrics;
  ConnectionTracker& tracker;
  ListenerKind listener;
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <typename Stream>
class HttpSession : public TrackedConnection, public std::enable_shared_from_this<HttpSession<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  static constexpr std::size_t kReadChunk = 16 * 1024;
  static constexpr auto kTlsShutdownTimeout = std::chrono::seconds(2);

 public:
  // TLS: `tls` is the context snapshot this connection handshakes with; it
  // stays alive for the connection even if the store swaps in a new one.
  HttpSession(tcp::socket&& socket, std::shared_ptr<ssl::context> tls, const SessionEnv& env)
      : tls_(std::move(tls)), stream_(makeStream(std::move(socket), tls_.get())), env_(env) {}

  ~HttpSession() override {
    if (trackerId_ != 0) env_.tracker.remove(trackerId_);
  }

  // Registers with the tracker; refused (id 0) when --max-connections is
  // reached and no connection can be evicted.
  ConnectionTracker::Admission admit() {
    const auto admission = env_.tracker.add(this->weak_from_this(), env_.limits.maxConnections);
    trackerId_ = admission.id;
    return admission;
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->doHandshake(); });
  }

  void drain() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      const bool again = self->draining_;
      self->draining_ = true;
      // Nothing in flight: close now. Otherwise the response carries
      // `Connection: close` and the connection ends after it. A connection
      // that has answered nothing yet was opened to send a request, most
      // likely being sent now: it is closed only by a second drain, once the
      // client had kDrainFirstRequestWindow to send it.
      if (self->state_ == State::kIdle && (again || self->answered_ > 0)) {
        beast::get_lowest_layer(self->stream_).socket().cancel();
      }
    });
  }

  void evict() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->begunRequest_ || self->state_ == State::kClosing) return;
      // The pending handshake or read ends with operation_aborted (logged at
      // V4 only) and the session closes as on any failed read; evicted_ keeps
      // it out of the handshake error count.
      self->evicted_ = true;
      beast::get_lowest_layer(self->stream_).socket().cancel();
    });
  }

 private:
  enum class State { kHandshake, kIdle, kReading, kBusy, kWriting, kClosing };

  static Stream makeStream(tcp::socket&& socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      (void)tls;
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void doHandshake() {
    if constexpr (kTls) {
      state_ = State::kHandshake;
      lowest().expires_after(env_.limits.handshakeTimeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](
                                                            beast::error_code ec) { self->onHandshake(ec); });
    } else {
      waitForRequest();
    }
  }

  void onHandshake(beast::error_code ec) {
    if (ec) {
      if (!evicted_) env_.metrics.handshakeFailed();
      logSessionError("TLS handshake failed", ec);
      return closeSocket();
    }
    waitForRequest();
  }

  void waitForRequest() {
    if (draining_ && answered_ > 0) return shutdown();
    if (buffer_.size() > 0) return readHeader();
    state_ = State::kIdle;
    lowest().expires_after(draining_ ? std::min(env_.limits.idleTimeout, kDrainFirstRequestWindow)
                                     : env_.limits.idleTimeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->onFirstBytes(ec, n);
                            });
  }

  void onFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec) {
      logSessionError("Idle connection closed", ec);
      return draining_ ? shutdown() : closeSocket();
    }
    buffer_.commit(n);
    readHeader();
  }

  void readHeader() {
    state_ = State::kReading;
    startRequestParser(parser_, env_.limits);
    lowest().expires_after(env_.limits.headerTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
  }

  void onHeader(beast::error_code ec) {
    if (ec) return onReadError(ec);
    if (!begunRequest_) {
      begunRequest_ = true;
      env_.tracker.beganRequest(trackerId_);
    }
    const auto& header = parser_->get();
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      // curl and some clients wait for this before sending a large body.
      continue_.emplace(http::status::continue_, header.version());
      http::async_write(stream_, *continue_,
                        [self = this->shared_from_this()](beast::error_code ec2, std::size_t) {
                          self->continue_.reset();
                          if (ec2) return self->closeSocket();
                          self->readBody();
                        });
      return;
    }
    readBody();
  }

  void readBody() {
    lowest().expires_after(env_.limits.bodyTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->onBody(ec); });
  }

  void onBody(beast::error_code ec) {
    if (ec) return onReadError(ec);
    dispatchRequest();
  }

  // Errors while reading a request: answer what deserves an answer.
  void onReadError(beast::error_code ec) {
    if (auto res = readErrorResponse(ec, env_.limits)) return respondAndClose(std::move(*res));
    logSessionError("Reading a request failed", ec);
    closeSocket();
  }

  void respondAndClose(Response res) {
    closeAfterResponse_ = true;
    const bool header = parser_ && parser_->is_header_done();
    verb_ = header ? parser_->get().method() : http::verb::unknown;
    pathLabel_ = header ? env_.router.pathLabel(parser_->get().target()) : "other";
    start_ = std::chrono::steady_clock::now();
    writeResponse(std::move(res));
  }

  void dispatchRequest() {
    state_ = State::kBusy;
    start_ = std::chrono::steady_clock::now();
    Request req = parser_->release();
    parser_.reset();
    verb_ = req.method();
    pathLabel_ = env_.router.pathLabel(req.target());
    keepAlive_ = req.keep_alive();
    // The handler may wait (a ServiceAccount lookup); its own budget bounds it.
    lowest().expires_never();
    auto self = this->shared_from_this();
    Responder respond = [self](Response res) {
      net::dispatch(self->stream_.get_executor(),
                    [self, res = std::move(res)]() mutable { self->writeResponse(std::move(res)); });
    };
    try {
      env_.router.route(std::move(req), std::move(respond));
    } catch (const std::exception& e) {
      // Exceptions stop here (STYLE.md rule 4): the client gets a 500.
      util::Log::error("Request handler failed", {{"err", e.what()}});
      closeAfterResponse_ = true;
      writeResponse(makeErrorResponse(http::status::internal_server_error, "internal error"));
    }
  }

  void writeResponse(Response res) {
    if (state_ == State::kWriting || state_ == State::kClosing) return;  // answered already
    const bool keep =
        keepAlive_ && !draining_ && !closeAfterResponse_ && !env_.tracker.closingAfterEachResponse();
    res.keep_alive(keep);
    response_.emplace(std::move(res));
    state_ = State::kWriting;
    lowest().expires_after(env_.limits.writeTimeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this(), keep](beast::error_code ec, std::size_t) {
                        self->onWrite(ec, keep);
                      });
  }

  void onWrite(beast::error_code ec, bool keep) {
    const auto micros =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start_).count();
    env_.metrics.observeRequest(env_.listener, verb_, pathLabel_, static_cast<int>(response_->result_int()),
                                micros);
    response_.reset();
    if (ec) {
      logSessionError("Writing a response failed", ec);
      return closeSocket();
    }
    ++answered_;
    if (!keep) return shutdown();
    keepAlive_ = false;
    waitForRequest();
  }

  void shutdown() {
    state_ = State::kClosing;
    if constexpr (kTls) {
      lowest().expires_after(kTlsShutdownTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->closeSocket(); });
    } else {
      closeSocket();
    }
  }

  void closeSocket() {
    state_ = State::kClosing;
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  std::shared_ptr<ssl::context> tls_;  // before stream_: the stream refers to it
  Stream stream_;
  const SessionEnv& env_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<Response> response_;
  State state_{State::kHandshake};
  bool draining_{false};
  bool keepAlive_{false};
  bool closeAfterResponse_{false};
  bool begunRequest_{false};  // a request's header has been read: never evicted since
  bool evicted_{false};
  std::uint64_t answered_{0};  // responses written on this connection
  std::uint64_t trackerId_{0};
  http::verb verb_{http::verb::unknown};
  std::string_view pathLabel_;  // the router's own copy of the route, or "other"
  std::chrono::steady_clock::time_point start_;
};

}  // namespace irsa::server

namespace irsa::server {
// Instantiated once each, in HttpSessionPlain.cpp and HttpSessionTls.cpp:
// Beast's templates are the slowest thing to compile here, and this keeps
// them out of every file that includes this header and lets both compile in
// parallel.
extern template class HttpSession<PlainStream>;
extern template class HttpSession<TlsStream>;
}  // namespace irsa::server
