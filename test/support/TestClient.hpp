#pragma once
// A blocking HTTP/1.1 test client over Boost.Asio/Beast, plain or TLS (with
// OpenSSL), one connection per object. Every operation is bounded by the
// client's timeout (a guard: Slowdown.hpp), so a hung server fails a test
// instead of hanging it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::testsupport {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct TlsClientOptions {
  std::string caFile;                 // the only CA trusted; empty: no verification
  std::string verifyIp{"127.0.0.1"};  // checked against the certificate's IP SANs
  int minVersion{0};                  // e.g. TLS1_2_VERSION; 0: library default
  int maxVersion{0};
  std::vector<std::string> alpn;  // offered protocols, in order
  // Security level 0 lets OpenSSL 3 offer TLS 1.0/1.1 at all (tests of refusal).
  bool allowLegacy{false};
};

struct Reply {
  error_code ec;  // of the read; the response is valid only without error
  Response response;
};

class TestClient {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{5000};
  explicit TestClient(std::chrono::milliseconds timeout = kDefaultTimeout);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // TCP only: plain HTTP, or raw bytes to any port.
  error_code connectPlain(unsigned short port);
  // TCP connect and TLS handshake.
  error_code connectTls(unsigned short port, const TlsClientOptions& options);

  std::string tlsVersion();  // "TLSv1.3", or "" without TLS
  std::string alpn();        // selected protocol, "" when none

  error_code writeRaw(std::string_view bytes);
  // Writes the request while reading the response (a server may answer before
  // it has read the whole body, e.g. 413), like a real client.
  Reply exchange(const Request& req);
  Reply readResponse();

  struct Drained {
    error_code ec;  // closed() tells a peer close from a timeout
    std::string bytes;
  };
  // Reads raw bytes until the peer closes (then closes too), an error, or
  // the timeout.
  Drained readUntilClosed();

  void close();

 private:
  template <typename Op>
  void withStream(Op&& op);
  beast::tcp_stream& lowest();
  void run();

  std::chrono::milliseconds timeout_;
  boost::asio::io_context ioc_;
  std::optional<boost::asio::ssl::context> ctx_;  // before the stream: it refers to it
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  beast::flat_buffer buffer_;
};

// True for the ways a peer's close shows up (EOF, TLS truncation, reset).
bool closedByPeer(const error_code& ec);

// Request builders; the body's Content-Length is set.
Request makeRequest(http::verb method, std::string target, std::string body = {},
                    std::string contentType = {});

}  // namespace irsa::testsupport
