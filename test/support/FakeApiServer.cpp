#include "test/support/FakeApiServer.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>

namespace irsa::testsupport {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

std::string httpResponse(int status, std::string_view body, bool keepAlive) {
  return "HTTP/1.1 " + std::to_string(status) +
         " Status\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + (keepAlive ? "" : "Connection: close\r\n") + "\r\n" + std::string(body);
}

std::string chunkedHeader(int status) {
  return "HTTP/1.1 " + std::to_string(status) +
         " Status\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
}

std::string chunk(std::string_view data) {
  char size[32];
  (void)std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

std::string lastChunk() {
  return "0\r\n\r\n";
}

struct FakeApiServer::Impl {
  net::io_context ioc;
  ssl::context tls{ssl::context::tls_server};
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  mutable std::mutex mutex;
  Handler handler;                    // guarded by mutex
  int connections = 0;                // guarded by mutex
  std::vector<FakeRequest> requests;  // guarded by mutex

  net::awaitable<void> accept() {
    for (;;) {
      tcp::socket socket = co_await acceptor.async_accept(net::use_awaitable);
      {
        std::lock_guard lock(mutex);
        ++connections;
      }
      net::co_spawn(ioc, session(std::move(socket)), net::detached);
    }
  }

  // Exceptions (the client went away) end the session; `detached` drops them.
  net::awaitable<void> session(tcp::socket socket) {
    ssl::stream<tcp::socket> stream(std::move(socket), tls);
    co_await stream.async_handshake(ssl::stream_base::server, net::use_awaitable);
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> req;
      co_await http::async_read(stream, buffer, req, net::use_awaitable);
      FakeRequest seen{std::string(req.target()),
                       std::string(req[http::field::host]),
                       std::string(req[http::field::authorization]),
                       std::string(req[http::field::user_agent]),
                       std::string(req[http::field::accept]),
                       SSL_get0_peer_certificate(stream.native_handle()) != nullptr,
                       std::string(req.method_string()),
                       std::string(req[http::field::content_type]),
                       req.body()};
      Handler current;
      {
        std::lock_guard lock(mutex);
        requests.push_back(seen);
        current = handler;
      }
      for (const FakeStep& step : current(seen)) {
        switch (step.kind) {
          case FakeStep::Kind::kWrite:
            co_await net::async_write(stream, net::buffer(step.data), net::use_awaitable);
            break;
          case FakeStep::Kind::kPause: {
            net::steady_timer timer(ioc, step.pause);
            co_await timer.async_wait(net::use_awaitable);
            break;
          }
          case FakeStep::Kind::kClose:
            stream.next_layer().close();
            co_return;
          case FakeStep::Kind::kHang:
            // Readable again only when the client closes (it sends nothing more).
            co_await stream.next_layer().async_wait(tcp::socket::wait_read, net::use_awaitable);
            co_return;
        }
      }
    }
  }
};

std::unique_ptr<FakeApiServer> FakeApiServer::start(Options options, Handler handler) {
  auto cert = certs::generateDevCertificate(options.cert);
  if (!cert) {
    ADD_FAILURE() << "dev certificate: " << cert.error();
    return nullptr;
  }
  std::unique_ptr<FakeApiServer> server(new FakeApiServer());
  server->cert_ = std::move(*cert);
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  impl.handler = std::move(handler);
  try {
    impl.tls.use_certificate_chain(net::buffer(server->cert_.certPem));
    impl.tls.use_private_key(net::buffer(server->cert_.keyPem), ssl::context::pem);
    if (!options.clientCaPem.empty()) {
      impl.tls.add_certificate_authority(net::buffer(options.clientCaPem));
      impl.tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen();
    server->port_ = impl.acceptor.local_endpoint().port();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "fake API server: " << e.what();
    return nullptr;
  }
  net::co_spawn(impl.ioc, impl.accept(), net::detached);
  impl.thread = std::thread([&impl] { impl.ioc.run(); });
  return server;
}

FakeApiServer::~FakeApiServer() {
  if (!impl_) return;
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void FakeApiServer::setHandler(Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->handler = std::move(handler);
}

int FakeApiServer::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections;
}

std::vector<FakeRequest> FakeApiServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

}  // namespace irsa::testsupport
