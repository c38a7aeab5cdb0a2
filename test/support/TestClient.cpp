#include "test/support/TestClient.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>

#include "test/support/Slowdown.hpp"

namespace irsa::testsupport {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kMaxResponseBody = 64 * 1024 * 1024;

std::string alpnWire(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const auto& p : protocols) {
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

}  // namespace

bool closedByPeer(const error_code& ec) {
  return ec == net::error::eof || ec == ssl::error::stream_truncated || ec == net::error::connection_reset ||
         ec == http::error::end_of_stream || ec == net::error::broken_pipe;
}

Request makeRequest(http::verb method, std::string target, std::string body, std::string contentType) {
  Request req{method, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::user_agent, "irsa-webhook-tests");
  if (!contentType.empty()) req.set(http::field::content_type, contentType);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

TestClient::TestClient(std::chrono::milliseconds timeout) : timeout_(guard(timeout)) {}

TestClient::~TestClient() {
  close();
}

beast::tcp_stream& TestClient::lowest() {
  return tls_ ? beast::get_lowest_layer(*tls_) : *plain_;
}

template <typename Op>
void TestClient::withStream(Op&& op) {
  if (tls_) {
    op(*tls_);
  } else {
    op(*plain_);
  }
}

void TestClient::run() {
  ioc_.restart();
  ioc_.run();
}

error_code TestClient::connectPlain(unsigned short port) {
  plain_.emplace(ioc_);
  error_code result;
  plain_->expires_after(timeout_);
  plain_->async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                        [&](error_code ec) { result = ec; });
  run();
  return result;
}

error_code TestClient::connectTls(unsigned short port, const TlsClientOptions& options) {
  ctx_.emplace(ssl::context::tls_client);
  SSL_CTX* ctx = ctx_->native_handle();
  if (options.allowLegacy) {
    SSL_CTX_set_security_level(ctx, 0);
    SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  }
  if (options.minVersion != 0) SSL_CTX_set_min_proto_version(ctx, options.minVersion);
  if (options.maxVersion != 0) SSL_CTX_set_max_proto_version(ctx, options.maxVersion);
  if (!options.caFile.empty()) {
    error_code ec;
    ctx_->load_verify_file(options.caFile, ec);
    if (ec) return ec;
    ctx_->set_verify_mode(ssl::verify_peer);
  } else {
    ctx_->set_verify_mode(ssl::verify_none);
  }
  if (!options.alpn.empty()) {
    const std::string wire = alpnWire(options.alpn);
    SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
  }
  tls_.emplace(ioc_, *ctx_);
  if (!options.caFile.empty() && !options.verifyIp.empty()) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(tls_->native_handle()), options.verifyIp.c_str());
  }

  error_code result;
  auto& tcp = beast::get_lowest_layer(*tls_);
  tcp.expires_after(timeout_);
  tcp.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), [&](error_code ec) {
    result = ec;
    if (ec) return;
    tls_->async_handshake(ssl::stream_base::client, [&](error_code hec) { result = hec; });
  });
  run();
  return result;
}

std::string TestClient::tlsVersion() {
  return tls_ ? SSL_get_version(tls_->native_handle()) : "";
}

std::string TestClient::alpn() {
  if (!tls_) return "";
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  SSL_get0_alpn_selected(tls_->native_handle(), &data, &len);
  return data ? std::string(reinterpret_cast<const char*>(data), len) : "";
}

error_code TestClient::writeRaw(std::string_view bytes) {
  error_code result;
  lowest().expires_after(timeout_);
  withStream([&](auto& s) {
    net::async_write(s, net::buffer(bytes.data(), bytes.size()),
                     [&](error_code ec, std::size_t) { result = ec; });
  });
  run();
  return result;
}

Reply TestClient::exchange(const Request& req) {
  Reply reply;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  bool written = false;
  lowest().expires_after(timeout_);
  withStream([&](auto& s) {
    http::async_write(s, req, [&](error_code, std::size_t) { written = true; });
    http::async_read(s, buffer_, parser, [&](error_code ec, std::size_t) {
      reply.ec = ec;
      // Answered before the body was sent: stop writing what nobody reads.
      if (!written) lowest().socket().cancel();
    });
  });
  run();
  if (!reply.ec) reply.response = parser.release();
  return reply;
}

Reply TestClient::readResponse() {
  Reply reply;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBody);
  lowest().expires_after(timeout_);
  withStream([&](auto& s) {
    http::async_read(s, buffer_, parser, [&](error_code ec, std::size_t) { reply.ec = ec; });
  });
  run();
  if (!reply.ec) reply.response = parser.release();
  return reply;
}

TestClient::Drained TestClient::readUntilClosed() {
  Drained drained;
  drained.bytes.assign(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  lowest().expires_after(timeout_);
  std::array<char, 4096> chunk{};
  std::function<void()> readMore;
  withStream([&](auto& s) {
    readMore = [&] {
      s.async_read_some(net::buffer(chunk), [&](error_code ec, std::size_t n) {
        drained.bytes.append(chunk.data(), n);
        if (ec) {
          drained.ec = ec;
          return;
        }
        readMore();
      });
    };
    readMore();
  });
  run();
  // As a real client does: answer the peer's close by closing, so a server
  // waiting for our close_notify is not kept waiting.
  if (closedByPeer(drained.ec)) {
    error_code ignored;
    lowest().socket().close(ignored);
  }
  return drained;
}

void TestClient::close() {
  if (!plain_ && !tls_) return;
  error_code ignored;
  lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
  lowest().socket().close(ignored);
  // Let cancelled handlers run before the stream goes away.
  run();
  tls_.reset();
  plain_.reset();
  ctx_.reset();
}

}  // namespace irsa::testsupport
