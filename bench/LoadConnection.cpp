#include "bench/LoadConnection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

namespace irsa::bench {

namespace net = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {
// Webhook answers are a few KiB; this only stops a runaway server.
constexpr std::uint64_t kMaxResponseBody = 64ULL * 1024 * 1024;
}  // namespace

LoadConnection::LoadConnection(net::io_context& ioc, net::ssl::context& tls, const ConnectTarget& target,
                               Listener& listener, bool keepAlive)
    : ioc_(ioc), tls_(tls), target_(target), listener_(listener), keepAlive_(keepAlive) {}

void LoadConnection::open(Clock::time_point deadline) {
  opening_ = true;
  busy_ = true;
  timedOut_ = false;
  deadline_ = deadline;
  net::post(ioc_, [this] { connect(); });
}

void LoadConnection::send(const Job& job, Clock::time_point deadline) {
  job_ = job;
  deadline_ = deadline;
  busy_ = true;
  timedOut_ = false;
  handshake_.reset();
  if (open_) return write();
  // Posted: the old stream must not be replaced from inside one of its own
  // completion handlers (this call may come from one).
  net::post(ioc_, [this] { connect(); });
}

void LoadConnection::connect() {
  if (timedOut_) return fail(Outcome::kTimeout, net::error::timed_out);
  buffer_.consume(buffer_.size());
  stream_.emplace(ioc_, tls_);
  if (!prepareClientSsl(stream_->native_handle(), target_.url, target_.tls)) {
    return fail(Outcome::kTlsError, net::error::invalid_argument);
  }
  connectStart_ = Clock::now();
  net::async_connect(stream_->next_layer(), target_.endpoints,
                     [this](const error_code& ec, const net::ip::tcp::endpoint&) { onConnect(ec); });
}

void LoadConnection::onConnect(const error_code& ec) {
  if (ec) return fail(timedOut_ ? Outcome::kTimeout : Outcome::kConnectError, ec);
  error_code ignored;
  stream_->next_layer().set_option(net::ip::tcp::no_delay(true), ignored);
  stream_->async_handshake(net::ssl::stream_base::client,
                           [this](const error_code& hec) { onHandshake(hec); });
}

void LoadConnection::onHandshake(const error_code& ec) {
  if (ec) return fail(timedOut_ ? Outcome::kTimeout : Outcome::kTlsError, ec);
  open_ = true;
  handshake_ = Clock::now() - connectStart_;
  if (opening_) {
    opening_ = false;
    busy_ = false;
    return listener_.onOpened(*this, true);
  }
  write();
}

void LoadConnection::write() {
  net::async_write(*stream_, net::buffer(job_.entry->wire),
                   [this](const error_code& ec, std::size_t) { onWrite(ec); });
}

void LoadConnection::onWrite(const error_code& ec) {
  if (ec) return fail(timedOut_ ? Outcome::kTimeout : Outcome::kIoError, ec);
  parser_.emplace(body_);
  parser_->body_limit(kMaxResponseBody);
  http::async_read(*stream_, buffer_, *parser_, [this](const error_code& rec, std::size_t) { onRead(rec); });
}

void LoadConnection::onRead(const error_code& ec) {
  if (ec) return fail(timedOut_ ? Outcome::kTimeout : Outcome::kIoError, ec);
  const int status = parser_->status();
  const bool keep = keepAlive_ && parser_->keep_alive();
  parser_.reset();
  Outcome outcome = Outcome::kNon2xx;
  bool mutated = false;
  if (status >= 200 && status <= 299) {
    const auto verdict = check_.check(body_, job_.entry->uid);
    outcome = verdict.valid ? Outcome::kOk : Outcome::kInvalid;
    mutated = verdict.mutated;
  }
  // Without keep-alive the client closes first, as a kube-apiserver does
  // with an idle connection; the server's close_notify is not waited for.
  if (!keep) close();
  finish(outcome, mutated);
}

void LoadConnection::fail(Outcome outcome, const error_code& ec) {
  lastError_ = ec.message();
  close();
  if (opening_) {
    opening_ = false;
    busy_ = false;
    return listener_.onOpened(*this, false);
  }
  finish(outcome, false);
}

void LoadConnection::finish(Outcome outcome, bool mutated) {
  busy_ = false;
  listener_.onDone(*this, job_, Result{outcome, mutated, Clock::now(), handshake_});
}

void LoadConnection::expireIf(Clock::time_point now) {
  if (!busy_ || timedOut_ || now < deadline_) return;
  timedOut_ = true;
  lastError_ = "timed out";
  // Closing the socket completes the pending operation with an error.
  if (stream_) {
    error_code ignored;
    stream_->next_layer().close(ignored);
  }
}

void LoadConnection::close() {
  open_ = false;
  if (stream_ && stream_->next_layer().is_open()) {
    error_code ignored;
    stream_->next_layer().close(ignored);
  }
}

}  // namespace irsa::bench
