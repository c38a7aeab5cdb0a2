#pragma once
// Accepts TCP connections and hands each socket, on its own strand, to the
// factory. Accept errors such as EMFILE back off instead of spinning.
// An empty address is the default bind, dual stack like Go's ":port": [::]
// with IPv4-mapped addresses, or 0.0.0.0 where the kernel has no IPv6.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>

#include "util/Result.hpp"

namespace irsa::server {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using Factory = std::function<void(boost::asio::ip::tcp::socket&&)>;
  // Opens `acceptor` for the endpoint's family and binds it. A seam: tests
  // replace it to play a kernel without IPv6.
  using BindStep = std::function<boost::system::error_code(boost::asio::ip::tcp::acceptor&,
                                                           const boost::asio::ip::tcp::endpoint&)>;
  static boost::system::error_code openAndBind(boost::asio::ip::tcp::acceptor& acceptor,
                                               const boost::asio::ip::tcp::endpoint& endpoint);

  // `portFlag` names the flag of `port` in errors (e.g. "--port").
  static util::Result<std::shared_ptr<Listener>> create(boost::asio::io_context& ioc,
                                                        const std::string& address, int port, Factory factory,
                                                        std::string name,
                                                        const std::string& portFlag = "--port",
                                                        const BindStep& bind = openAndBind);

  void start();
  // Stops accepting (thread-safe); open connections are not touched.
  void stop();
  unsigned short port() const { return port_; }
  // The address bound: "::" or "0.0.0.0" for the default bind.
  const std::string& address() const { return address_; }

 private:
  Listener(boost::asio::io_context& ioc, Factory factory, std::string name);
  void doAccept();

  boost::asio::io_context& ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  Factory factory_;
  std::string name_;
  unsigned short port_{0};
  std::string address_;
};

}  // namespace irsa::server
