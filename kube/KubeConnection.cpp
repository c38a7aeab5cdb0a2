#include "kube/KubeConnection.hpp"

#include <sys/socket.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>

#include "kube/KubeTls.hpp"

namespace irsa::kube {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

std::shared_ptr<KubeConnection> KubeConnection::create(const net::any_io_executor& ex,
                                                       std::shared_ptr<const KubeEndpoint> endpoint) {
  return std::make_shared<KubeConnection>(Token{}, net::make_strand(ex), std::move(endpoint));
}

KubeConnection::KubeConnection(Token, const net::any_io_executor& strand,
                               std::shared_ptr<const KubeEndpoint> endpoint)
    : endpoint_(std::move(endpoint)),
      stream_(beast::tcp_stream(strand), *endpoint_->tls),
      resolver_(strand),
      resolveTimer_(strand) {}

void KubeConnection::connect(Clock::time_point deadline, ConnectHandler done) {
  done_ = std::move(done);
  deadline_ = deadline;
  if (closed_) return finish(util::fail("cancelled"));
  boost::system::error_code ec;
  const auto address = net::ip::make_address(endpoint_->host, ec);
  if (!ec) {  // an IP literal needs no resolver
    endpoints_.emplace_back(address, static_cast<unsigned short>(std::stoi(endpoint_->port)));
    return connectTcp();
  }
  resolveTimer_.expires_at(deadline_);
  resolveTimer_.async_wait([self = shared_from_this()](const boost::system::error_code& tec) {
    // The resolver cannot interrupt getaddrinfo, so the deadline answers
    // first and the late resolver result is dropped in onResolved().
    if (!tec && self->done_ && self->endpoints_.empty()) {
      self->resolver_.cancel();
      self->finish(util::fail("timed out resolving " + self->endpoint_->host));
    }
  });
  resolver_.async_resolve(endpoint_->host, endpoint_->port,
                          [self = shared_from_this()](const boost::system::error_code& rec,
                                                      const tcp::resolver::results_type& results) {
                            self->onResolved(rec, results);
                          });
}

void KubeConnection::onResolved(const boost::system::error_code& ec,
                                const tcp::resolver::results_type& results) {
  resolveTimer_.cancel();
  if (!done_) return;  // timed out or cancelled already
  if (closed_) return finish(util::fail("cancelled"));
  if (ec) return finish(util::fail("resolve " + endpoint_->host + ": " + ec.message()));
  for (const auto& entry : results)
    endpoints_.push_back(entry.endpoint());
  if (endpoints_.empty()) return finish(util::fail("resolve " + endpoint_->host + ": no addresses"));
  connectTcp();
}

void KubeConnection::connectTcp() {
  tcp().expires_at(deadline_);
  tcp().async_connect(endpoints_,
                      [self = shared_from_this()](const boost::system::error_code& ec, const tcp::endpoint&) {
                        self->onTcpConnected(ec);
                      });
}

void KubeConnection::onTcpConnected(const boost::system::error_code& ec) {
  const std::string where = endpoint_->hostHeader;
  if (closed_) return finish(util::fail("cancelled"));
  if (ec == beast::error::timeout) return finish(util::fail("timed out connecting to " + where));
  if (ec) return finish(util::fail("connect to " + where + ": " + ec.message()));
  auto prepared =
      prepareKubeTlsConnection(stream_.native_handle(), endpoint_->serverName, endpoint_->verifyPeer);
  if (!prepared) return finish(std::move(prepared));
  tcp().expires_at(deadline_);
  stream_.async_handshake(
      net::ssl::stream_base::client,
      [self = shared_from_this()](const boost::system::error_code& hec) { self->onHandshake(hec); });
}

void KubeConnection::onHandshake(const boost::system::error_code& ec) {
  const std::string where = endpoint_->hostHeader;
  if (closed_) return finish(util::fail("cancelled"));
  if (ec == beast::error::timeout) return finish(util::fail("timed out in the TLS handshake with " + where));
  if (ec) {
    std::string message = "TLS handshake with " + where + ": " + ec.message();
    if (const std::string why = kubeTlsVerifyError(stream_.native_handle()); !why.empty()) {
      message += " (" + why + ")";
    }
    return finish(util::fail(message));
  }
  tcp().expires_never();
  finish(util::okStatus());
}

void KubeConnection::finish(util::Status status) {
  if (!done_) return;
  auto done = std::move(done_);
  done_ = nullptr;
  if (!status) close();
  done(std::move(status));
}

void KubeConnection::close() {
  closed_ = true;
  resolveTimer_.cancel();
  resolver_.cancel();
  tcp().close();
}

bool KubeConnection::looksAlive() {
  if (closed_ || !tcp().socket().is_open()) return false;
  char byte = 0;
  const ssize_t n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace irsa::kube
