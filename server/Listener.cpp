#include "server/Listener.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <vector>

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

namespace {

// What open() or bind() of [::] answers when the kernel has no IPv6 (booted
// with ipv6.disable=1, or a network namespace without it).
bool ipv6Absent(const boost::system::error_code& ec) {
  return ec == net::error::address_family_not_supported || ec == boost::system::errc::address_not_available;
}

// Below 1024, binding needs a privilege a non-root container rarely has.
std::string privilegedPortHint(int port, const std::string& portFlag) {
  return "; ports below 1024 need a privilege: listen on an unprivileged port (" + portFlag +
         (portFlag == "--port" ? " 8443, and point the Service's targetPort at it" : " 9999") +
         "), or lower the net.ipv4.ip_unprivileged_port_start sysctl to " + std::to_string(port) +
         " (e.g. in the pod's securityContext.sysctls), or grant CAP_NET_BIND_SERVICE";
}

}  // namespace

boost::system::error_code Listener::openAndBind(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  // Go's listeners on a wildcard IPv6 address take IPv4 too; so do ours,
  // whatever the net.ipv6.bindv6only default of the host.
  if (!ec && endpoint.address().is_v6()) acceptor.set_option(net::ip::v6_only(false), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  }
  return ec;
}

util::Result<std::shared_ptr<Listener>> Listener::create(net::io_context& ioc, const std::string& address,
                                                         int port, Factory factory, std::string name,
                                                         const std::string& portFlag, const BindStep& bind) {
  if (port < 0 || port > 65535) return util::fail(name + ": port " + std::to_string(port) + " out of range");
  std::vector<net::ip::address> candidates;
  if (address.empty()) {
    candidates = {net::ip::address_v6::any(), net::ip::address_v4::any()};
  } else {
    boost::system::error_code ec;
    candidates = {net::ip::make_address(address, ec)};
    if (ec) return util::fail(name + ": bad bind address \"" + address + "\"");
  }
  std::shared_ptr<Listener> listener(new Listener(ioc, std::move(factory), name));
  auto& a = listener->acceptor_;
  boost::system::error_code ec;
  std::string where;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const tcp::endpoint endpoint(candidates[i], static_cast<unsigned short>(port));
    where = (candidates[i].is_v6() ? "[" + candidates[i].to_string() + "]" : candidates[i].to_string()) +
            ":" + std::to_string(port);
    ec = bind(a, endpoint);
    if (!ec || !ipv6Absent(ec) || i + 1 == candidates.size()) break;
    util::Log::info("IPv6 is not available, listening on IPv4 only",
                    {{"listener", name}, {"err", ec.message()}, {"fallback", "0.0.0.0"}});
  }
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    std::string message = name + ": cannot listen on " + where + ": " + ec.message();
    if (ec == boost::system::errc::permission_denied && port > 0 && port < 1024) {
      message += privilegedPortHint(port, portFlag);
    }
    return util::fail(message);
  }
  const auto local = a.local_endpoint();
  listener->port_ = local.port();
  listener->address_ = local.address().to_string();
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
