// InstanceMetadata against an in-test IMDS on 127.0.0.1 (port 0), plus the
// KubeInstanceMetadataLive* checks that test/e2e/imds.sh runs against the real
// amazon-ec2-metadata-mock (skipped unless IRSA_IMDS_ENDPOINT is set).

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kube/InstanceMetadata.hpp"

namespace irsa::kube {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using std::chrono::milliseconds;

constexpr const char* kToken = "AQAEAK-test-token==";
constexpr const char* kDocument =
    R"({"accountId":"111122223333","region":"eu-west-1","instanceId":"i-0abc"})";

struct Seen {
  std::string method;
  std::string target;
  std::string ttlHeader;
  std::string tokenHeader;
};

Response reply(unsigned status, std::string body) {
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
Response imdsV2(const Request& req, const std::string& document) {
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

InstanceMetadataOptions optionsFor(const std::string& endpoint) {
  InstanceMetadataOptions options;
  options.endpoint = endpoint;
  options.timeout = milliseconds(1000);
  options.backoff = milliseconds(1);  // keep retrying tests fast
  return options;
}

TEST(KubeInstanceMetadataTest, ReadsAccountAndRegionWithASessionToken) {
  FakeImds imds([](const Request& req) { return imdsV2(req, kDocument); });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_TRUE(identity.ok()) << identity.error();
  EXPECT_EQ(identity->account, "111122223333");
  EXPECT_EQ(identity->region, "eu-west-1");
  const auto seen = imds.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].method, "PUT");
  EXPECT_EQ(seen[0].target, "/latest/api/token");
  EXPECT_EQ(seen[0].ttlHeader, "21600");
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].target, "/latest/dynamic/instance-identity/document");
  EXPECT_EQ(seen[1].tokenHeader, kToken);
}

TEST(KubeInstanceMetadataTest, TrimsTheTokensTrailingNewlineAndAcceptsATrailingSlash) {
  FakeImds imds([](const Request& req) {
    if (req.target() == "/latest/api/token") return reply(200, std::string(kToken) + "\n");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint() + "/"));

  ASSERT_TRUE(identity.ok()) << identity.error();
  EXPECT_EQ(imds.seen().at(1).tokenHeader, kToken);
}

// An IMDS with IMDSv1 only: the token endpoint answers `tokenStatus`, the
// document is served without a token.
Response imdsV1(const Request& req, unsigned tokenStatus) {
  if (req.target() == "/latest/api/token") return reply(tokenStatus, "no tokens here");
  if (req.target() == "/latest/dynamic/instance-identity/document") return reply(200, kDocument);
  return reply(404, "");
}

TEST(KubeInstanceMetadataTest, RefusedTokenFallsBackToImdsV1LikeTheSdks) {
  for (unsigned status : {403u, 404u, 405u}) {
    FakeImds imds([status](const Request& req) { return imdsV1(req, status); });

    auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

    ASSERT_TRUE(identity.ok()) << status << ": " << identity.error();
    EXPECT_EQ(identity->account, "111122223333");
    const auto seen = imds.seen();
    ASSERT_EQ(seen.size(), 2u) << status;
    EXPECT_EQ(seen[0].method, "PUT");
    EXPECT_EQ(seen[1].method, "GET");
    EXPECT_EQ(seen[1].target, "/latest/dynamic/instance-identity/document");
    EXPECT_EQ(seen[1].tokenHeader, "") << "IMDSv1 sends no token";
  }
}

TEST(KubeInstanceMetadataTest, TokenRequestThatTimesOutFallsBackToImdsV1WithAFreshDeadline) {
  // The PUT's answer never arrives (an instance's hop limit of 1 drops it on
  // the way into a pod); IMDSv1 GETs are not affected by that limit.
  FakeImds imds([](const Request& req) -> std::optional<Response> {
    if (req.method() == http::verb::put) return std::nullopt;
    return imdsV1(req, 200);
  });
  auto options = optionsFor(imds.endpoint());
  options.timeout = milliseconds(300);

  auto identity = InstanceMetadata::fetch(options);

  ASSERT_TRUE(identity.ok()) << identity.error();
  EXPECT_EQ(identity->region, "eu-west-1");
  const auto seen = imds.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].tokenHeader, "");
}

TEST(KubeInstanceMetadataTest, ImdsV1RefusedTooNamesBothSteps) {
  FakeImds imds([](const Request& req) {
    if (req.method() == http::verb::put) return reply(403, "Forbidden");
    return reply(401, "");
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("PUT /latest/api/token answered HTTP 403"), std::string::npos)
      << identity.error();
  EXPECT_NE(identity.error().find("IMDSv1 GET /latest/dynamic/instance-identity/document answered HTTP 401"),
            std::string::npos)
      << identity.error();
  EXPECT_NE(identity.error().find(imds.endpoint()), std::string::npos) << identity.error();
  EXPECT_EQ(imds.seen().size(), 2u) << "a 4xx is not retried";
}

TEST(KubeInstanceMetadataTest, BadRequestForTheTokenIsFinalWithoutFallback) {
  FakeImds imds([](const Request& req) { return imdsV1(req, 400); });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("PUT /latest/api/token answered HTTP 400"), std::string::npos)
      << identity.error();
  EXPECT_EQ(imds.seen().size(), 1u);
}

TEST(KubeInstanceMetadataTest, AfterAFallbackRetriesStayOnImdsV1) {
  std::atomic<int> gets{0};
  FakeImds imds([&](const Request& req) {
    if (req.method() == http::verb::get && gets++ == 0) return reply(503, "busy");
    return imdsV1(req, 404);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_TRUE(identity.ok()) << identity.error();
  const auto seen = imds.seen();
  ASSERT_EQ(seen.size(), 3u);  // PUT 404, GET 503, GET
  EXPECT_EQ(seen[2].method, "GET");
}

TEST(KubeInstanceMetadataTest, DocumentWithoutAccountIdIsAnError) {
  FakeImds imds([](const Request& req) { return imdsV2(req, R"({"region":"us-east-1"})"); });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("has no \"accountId\""), std::string::npos) << identity.error();
}

TEST(KubeInstanceMetadataTest, BadDocumentsAreErrors) {
  for (const std::string document : {"not json", "[]", R"({"accountId":"111122223333"})",
                                     R"({"accountId":"1111:role","region":"us-east-1"})",
                                     R"({"accountId":"111122223333","region":"us east"})"}) {
    FakeImds imds([&](const Request& req) { return imdsV2(req, document); });

    auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

    ASSERT_FALSE(identity.ok()) << document;
    EXPECT_NE(identity.error().find("instance identity document"), std::string::npos) << identity.error();
  }
}

TEST(KubeInstanceMetadataTest, DocumentStatusIsReported) {
  FakeImds imds([](const Request& req) {
    if (req.method() == http::verb::get) return reply(404, "Not Found");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("GET /latest/dynamic/instance-identity/document answered HTTP 404"),
            std::string::npos)
      << identity.error();
}

TEST(KubeInstanceMetadataTest, ServerErrorsAreRetried) {
  std::atomic<int> puts{0};
  FakeImds imds([&](const Request& req) {
    if (req.method() == http::verb::put && puts++ == 0) return reply(503, "busy");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_TRUE(identity.ok()) << identity.error();
  EXPECT_EQ(imds.seen().size(), 3u);  // PUT 503, PUT, GET
}

TEST(KubeInstanceMetadataTest, UnreachablePortFailsFastNamingTheEndpoint) {
  std::string endpoint;
  {
    asio::io_context ioc;  // a port that was free a moment ago: nobody listens
    tcp::acceptor probe(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    endpoint = "http://127.0.0.1:" + std::to_string(probe.local_endpoint().port());
  }
  auto options = optionsFor(endpoint);
  const auto start = std::chrono::steady_clock::now();

  auto identity = InstanceMetadata::fetch(options);

  EXPECT_LT(std::chrono::steady_clock::now() - start, options.timeout * options.attempts);
  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(
      identity.error().rfind("instance metadata not reachable at " + endpoint + " after 3 attempts: ", 0), 0u)
      << identity.error();
  EXPECT_NE(identity.error().find("(--compose-role-arn needs EC2 instance metadata, IMDSv2 or IMDSv1)"),
            std::string::npos);
}

TEST(KubeInstanceMetadataTest, SilentServerTimesOutWithinTheTimeout) {
  asio::io_context ioc;  // listens (the kernel completes handshakes) but never answers
  tcp::acceptor silent(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  auto options = optionsFor("http://127.0.0.1:" + std::to_string(silent.local_endpoint().port()));
  options.timeout = milliseconds(200);
  options.attempts = 2;
  const auto start = std::chrono::steady_clock::now();

  auto identity = InstanceMetadata::fetch(options);

  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, milliseconds(400));
  EXPECT_LT(elapsed, milliseconds(1500));
  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("timed out after 200ms"), std::string::npos) << identity.error();
  EXPECT_NE(identity.error().find("hop limit"), std::string::npos) << identity.error();
}

TEST(KubeInstanceMetadataTest, InvalidEndpointsAreRejectedBeforeAnyRequest) {
  for (const char* endpoint : {"https://169.254.169.254", "169.254.169.254", "http://", "http://host:0",
                               "http://host:99999", "http://host/latest", "http://[fd00:ec2::254"}) {
    auto identity = InstanceMetadata::fetch(optionsFor(endpoint));

    ASSERT_FALSE(identity.ok()) << endpoint;
    EXPECT_EQ(identity.error().rfind("invalid instance metadata endpoint", 0), 0u) << identity.error();
  }
}

TEST(KubeInstanceMetadataTest, ComposesThePartitionFromTheRegion) {
  FakeImds imds([](const Request& req) {
    return imdsV2(req, R"({"accountId":"123456789012","region":"cn-north-1"})");
  });

  auto composition = composeFromInstanceMetadata(optionsFor(imds.endpoint()));

  ASSERT_TRUE(composition.ok()) << composition.error();
  EXPECT_EQ(composition->partition, "aws-cn");
  EXPECT_EQ(composition->account, "123456789012");
  EXPECT_EQ(composition->region, "cn-north-1");
}

// Restores one environment variable when the test ends. gtest runs tests on
// one thread, so touching the environment is safe here.
// NOLINTBEGIN(concurrency-mt-unsafe)
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { old_ ? ::setenv(name_, old_->c_str(), 1) : ::unsetenv(name_); }

 private:
  const char* name_;
  std::optional<std::string> old_;
};
// NOLINTEND(concurrency-mt-unsafe)

TEST(KubeInstanceMetadataTest, EnvironmentOverridesTheEndpointLikeTheSdks) {
  {
    ScopedEnv endpoint("AWS_EC2_METADATA_SERVICE_ENDPOINT", nullptr);
    ScopedEnv mode("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", nullptr);
    EXPECT_EQ(InstanceMetadataOptions::fromEnvironment().endpoint, "http://169.254.169.254");
  }
  {
    ScopedEnv endpoint("AWS_EC2_METADATA_SERVICE_ENDPOINT", nullptr);
    ScopedEnv mode("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6");
    EXPECT_EQ(InstanceMetadataOptions::fromEnvironment().endpoint, "http://[fd00:ec2::254]");
  }
  {
    ScopedEnv endpoint("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338");
    ScopedEnv mode("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6");
    const auto options = InstanceMetadataOptions::fromEnvironment();
    EXPECT_EQ(options.endpoint, "http://127.0.0.1:1338");
    EXPECT_EQ(options.attempts, 3);
    EXPECT_EQ(options.timeout, std::chrono::seconds(2));
  }
}

// ---- against the real amazon-ec2-metadata-mock (test/e2e/imds.sh) ----------

std::optional<std::string> env(const char* name) {
  const char* value = ::getenv(name);  // NOLINT(concurrency-mt-unsafe): read-only, one thread
  return value && *value ? std::optional<std::string>(value) : std::nullopt;
}

// One plain request to the live endpoint; the status code, 0 on a transport error.
unsigned liveStatus(const std::string& endpoint, http::verb method, const char* target) {
  const std::string hostPort = endpoint.substr(std::string("http://").size());
  const auto colon = hostPort.rfind(':');
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  tcp::socket socket(ioc);
  boost::system::error_code ec;
  asio::connect(socket, resolver.resolve(hostPort.substr(0, colon), hostPort.substr(colon + 1), ec), ec);
  if (ec) return 0;
  Request req{method, target, 11};
  req.set(http::field::host, hostPort);
  if (method == http::verb::put) req.set("X-aws-ec2-metadata-token-ttl-seconds", "60");
  req.prepare_payload();
  http::write(socket, req, ec);
  boost::beast::flat_buffer buffer;
  Response res;
  http::read(socket, buffer, res, ec);
  return ec ? 0 : res.result_int();
}

TEST(KubeInstanceMetadataLive, MockServesTheModeThisRunNeeds) {
  const auto endpoint = env("IRSA_IMDS_ENDPOINT");
  if (!endpoint) GTEST_SKIP() << "IRSA_IMDS_ENDPOINT is not set (test/e2e/imds.sh sets it)";
  const char* document = "/latest/dynamic/instance-identity/document";
  if (env("IRSA_IMDS_MODE").value_or("v2") == "v1") {
    // IMDSv1 only: the token PUT is refused, so the fetch below proves the fallback.
    const unsigned put = liveStatus(*endpoint, http::verb::put, "/latest/api/token");
    EXPECT_TRUE(put == 403 || put == 404 || put == 405) << "token PUT answered " << put;
    EXPECT_EQ(liveStatus(*endpoint, http::verb::get, document), 200u);
    return;
  }
  // imds.sh runs the mock IMDSv2-only, so the fetch below proves the token flow.
  EXPECT_EQ(liveStatus(*endpoint, http::verb::get, document), 401u)
      << "a GET without a token must be refused (mock started without -I?)";
}

TEST(KubeInstanceMetadataLive, ReadsTheMocksAccountAndRegion) {
  const auto endpoint = env("IRSA_IMDS_ENDPOINT");
  if (!endpoint) GTEST_SKIP() << "IRSA_IMDS_ENDPOINT is not set (test/e2e/imds.sh sets it)";
  InstanceMetadataOptions options;
  options.endpoint = *endpoint;

  auto composition = composeFromInstanceMetadata(options);

  ASSERT_TRUE(composition.ok()) << composition.error();
  std::cout << "[ imds     ] account=" << composition->account << " region=" << composition->region
            << " partition=" << composition->partition << "\n";
  if (auto want = env("IRSA_IMDS_EXPECT_ACCOUNT")) {
    EXPECT_EQ(composition->account, *want);
  }
  if (auto want = env("IRSA_IMDS_EXPECT_REGION")) {
    EXPECT_EQ(composition->region, *want);
  }
  if (auto want = env("IRSA_IMDS_EXPECT_PARTITION")) {
    EXPECT_EQ(composition->partition, *want);
  }
}

}  // namespace
}  // namespace irsa::kube
