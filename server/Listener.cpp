#include "server/Listener.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "util/Log.hpp"

namespace irsa::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, Factory factory, std::string name)
    : ioc_(ioc),
      strand_(net::make_strand(ioc)),
      acceptor_(strand_),
      backoff_(strand_),
      factory_(std::move(factory)),
      name_(std::move(name)) {}

util::Result<std::shared_ptr<Listener>> Listener::create(net::io_context& ioc, const std::string& address, int port,
                                                         Factory factory, std::string name) {
  if (port < 0 || port > 65535) return util::fail(name + ": port " + std::to_string(port) + " out of range");
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address, ec);
  if (ec) return util::fail(name + ": bad bind address \"" + address + "\"");
  std::shared_ptr<Listener> listener(new Listener(ioc, std::move(factory), name));
  const tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  auto& a = listener->acceptor_;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return util::fail(name + ": cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  }
  listener->port_ = a.local_endpoint().port();
  return listener;
}

void Listener::start() {
  net::dispatch(strand_, [self = shared_from_this()] { self->doAccept(); });
}

void Listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->backoff_.cancel();
    self->acceptor_.close(ignored);
  });
}

void Listener::doAccept() {
  // Each connection gets its own strand.
  acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](boost::system::error_code ec,
                                                                             tcp::socket socket) {
    if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (ec) {
      // EMFILE and friends: wait a little rather than spin on the error.
      util::Log::warn("Accepting a connection failed", {{"listener", self->name_}, {"err", ec.message()}});
      self->backoff_.expires_after(std::chrono::milliseconds(100));
      self->backoff_.async_wait([self](boost::system::error_code wait) {
        if (!wait) self->doAccept();
      });
      return;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    self->factory_(std::move(socket));
    self->doAccept();
  });
}

}  // namespace irsa::server
