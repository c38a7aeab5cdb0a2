#pragma once
// An in-test IMDS on 127.0.0.1 (port 0) and the answers of an IMDSv2 instance,
// shared by the AwsInstanceMetadata* tests.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aws/InstanceMetadata.hpp"

namespace irsa::aws::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using std::chrono::milliseconds;

inline constexpr const char* kToken = "AQAEAK-test-token==";
inline constexpr const char* kDocument =
    R"({"accountId":"111122223333","region":"eu-west-1","instanceId":"i-0abc"})";

struct Seen {
  std::string method;
  std::string target;
  std::string ttlHeader;
  std::string tokenHeader;
};

inline Response reply(unsigned status, std::string body) {
  Response res{static_cast<http::status>(status), 11};
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// A plain-HTTP IMDS stand-in on its own thread: every request is recorded,
// then answered by `handler`; nullopt leaves it unanswered (a dropped reply).
class FakeImds {
 public:
  using Handler = std::function<std::optional<Response>(const Request&)>;

  explicit FakeImds(Handler handler) : handler_(std::move(handler)), acceptor_(ioc_) {
    const tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(local.protocol());
    acceptor_.bind(local);
    acceptor_.listen();
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~FakeImds() {
    ioc_.stop();
    thread_.join();
  }

  std::string endpoint() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& ioc) : socket(ioc) {}
    tcp::socket socket;
    boost::beast::flat_buffer buffer;
    Request request;
    Response response;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      auto conn = std::make_shared<Connection>(ioc_);
      conn->socket = std::move(socket);
      read(conn);
      accept();
    });
  }

  void read(const std::shared_ptr<Connection>& conn) {
    conn->request = {};
    http::async_read(
        conn->socket, conn->buffer, conn->request, [this, conn](boost::system::error_code ec, size_t) {
          if (ec) return;  // the client closed
          {
            std::lock_guard lock(mutex_);
            const auto& r = conn->request;
            seen_.push_back({std::string(r.method_string()), std::string(r.target()),
                             std::string(r["X-aws-ec2-metadata-token-ttl-seconds"]),
                             std::string(r["X-aws-ec2-metadata-token"])});
          }
          auto response = handler_(conn->request);
          if (!response) {
            unanswered_.push_back(conn);  // kept open until the fake goes away
            return;
          }
          conn->response = std::move(*response);
          http::async_write(conn->socket, conn->response, [this, conn](boost::system::error_code ec, size_t) {
            if (!ec) read(conn);
          });
        });
  }

  Handler handler_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;                               // guarded by mutex_
  std::vector<std::shared_ptr<Connection>> unanswered_;  // ioc_ thread only
};

// Behaves like IMDSv2: tokens by PUT, documents only with that token.
inline Response imdsV2(const Request& req, const std::string& document) {
  if (req.target() == "/latest/api/token") {
    if (req.method() != http::verb::put) return reply(405, "");
    if (req["X-aws-ec2-metadata-token-ttl-seconds"].empty()) return reply(400, "missing ttl");
    return reply(200, kToken);
  }
  if (req.target() == "/latest/dynamic/instance-identity/document") {
    if (req["X-aws-ec2-metadata-token"] != kToken) return reply(401, "");
    return reply(200, document);
  }
  return reply(404, "");
}

inline InstanceMetadataOptions optionsFor(const std::string& endpoint) {
  InstanceMetadataOptions options;
  options.endpoint = endpoint;
  options.timeout = milliseconds(1000);
  options.backoff = milliseconds(1);  // keep retrying tests fast
  return options;
}

}  // namespace irsa::aws::testing
