#pragma once
// One TLS connection to the API server. Each connection runs on its own
// strand (the stream's executor), so every completion handler of its
// operations, its timeout timer and close() are serialized; whoever uses it
// must call in from that strand (net::dispatch(conn->executor(), ...)).
// A connection is owned by one request at a time, or idle in the pool.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::kube {

// Where and how to connect; immutable and shared by all connections.
struct KubeEndpoint {
  std::string host;  // DNS name or IP literal (IPv6 without brackets)
  std::string port;
  std::string serverName;  // SNI and the name the certificate must match
  std::string hostHeader;  // "host:port" with IPv6 brackets
  bool verifyPeer{true};
  std::shared_ptr<boost::asio::ssl::context> tls;
};

class KubeConnection : public std::enable_shared_from_this<KubeConnection> {
 public:
  using Clock = std::chrono::steady_clock;
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using ConnectHandler = std::function<void(util::Status)>;

  // `ex` is the io_context's executor; the connection makes its own strand.
  static std::shared_ptr<KubeConnection> create(const boost::asio::any_io_executor& ex,
                                                std::shared_ptr<const KubeEndpoint> endpoint);

  // On executor(): resolves, connects and handshakes, all before `deadline`.
  // `done` runs once on executor(), with an error naming the failed step.
  void connect(Clock::time_point deadline, ConnectHandler done);

  // On executor(): cancels what runs (it completes with operation_aborted)
  // and closes the socket. Idempotent.
  void close();
  bool closed() const { return closed_; }

  // Cheap check before reusing an idle connection: false when the server has
  // closed it (EOF) or sent something unasked (a TLS alert, say).
  bool looksAlive();

  boost::asio::any_io_executor executor() { return tcp().get_executor(); }
  Stream& stream() { return stream_; }
  boost::beast::tcp_stream& tcp() { return stream_.next_layer(); }
  boost::beast::flat_buffer& buffer() { return buffer_; }
  const KubeEndpoint& endpoint() const { return *endpoint_; }

  Clock::time_point idleSince;  // set by ConnectionPool while the connection is idle

  struct Token {};  // keeps the constructor private in spirit: use create()
  KubeConnection(Token, const boost::asio::any_io_executor& strand,
                 std::shared_ptr<const KubeEndpoint> endpoint);

 private:
  void onResolved(const boost::system::error_code& ec,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void connectTcp();
  void onTcpConnected(const boost::system::error_code& ec);
  void onHandshake(const boost::system::error_code& ec);
  void finish(util::Status status);

  std::shared_ptr<const KubeEndpoint> endpoint_;
  Stream stream_;
  boost::beast::flat_buffer buffer_;  // bytes read past a response stay for the next
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::steady_timer resolveTimer_;  // getaddrinfo has no timeout of its own
  std::vector<boost::asio::ip::tcp::endpoint> endpoints_;
  Clock::time_point deadline_{};
  ConnectHandler done_;  // set while connect() runs
  bool closed_{false};
};

}  // namespace irsa::kube
