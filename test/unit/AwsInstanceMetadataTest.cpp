// InstanceMetadata with IMDSv2 against an in-test IMDS (AwsFakeImds.hpp),
// plus the AwsInstanceMetadataLive* checks that test/e2e/test_imds.py runs against
// the real amazon-ec2-metadata-mock (skipped unless IRSA_IMDS_ENDPOINT is set).
// The IMDSv1 fallback has its own file, AwsInstanceMetadataFallbackTest.cpp.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

#include "aws/InstanceMetadata.hpp"
#include "test/unit/AwsFakeImds.hpp"

namespace irsa::aws {
namespace {

using namespace irsa::aws::testing;  // NOLINT(google-build-using-namespace): the fake's vocabulary

TEST(AwsInstanceMetadataTest, ReadsAccountAndRegionWithASessionToken) {
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

TEST(AwsInstanceMetadataTest, TrimsTheTokensTrailingNewlineAndAcceptsATrailingSlash) {
  FakeImds imds([](const Request& req) {
    if (req.target() == "/latest/api/token") return reply(200, std::string(kToken) + "\n");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint() + "/"));

  ASSERT_TRUE(identity.ok()) << identity.error();
  EXPECT_EQ(imds.seen().at(1).tokenHeader, kToken);
}

TEST(AwsInstanceMetadataTest, DocumentWithoutAccountIdIsAnError) {
  FakeImds imds([](const Request& req) { return imdsV2(req, R"({"region":"us-east-1"})"); });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("has no \"accountId\""), std::string::npos) << identity.error();
}

TEST(AwsInstanceMetadataTest, BadDocumentsAreErrors) {
  for (const std::string document : {"not json", "[]", R"({"accountId":"111122223333"})",
                                     R"({"accountId":"1111:role","region":"us-east-1"})",
                                     R"({"accountId":"111122223333","region":"us east"})"}) {
    FakeImds imds([&](const Request& req) { return imdsV2(req, document); });

    auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

    ASSERT_FALSE(identity.ok()) << document;
    EXPECT_NE(identity.error().find("instance identity document"), std::string::npos) << identity.error();
  }
}

TEST(AwsInstanceMetadataTest, DocumentStatusIsReported) {
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

// The status is the error's code, not only its text: callers act on that.
TEST(AwsInstanceMetadataTest, AnUnexpectedStatusIsTheErrorsHttpStatus) {
  FakeImds imds([](const Request& req) {
    if (req.method() == http::verb::get) return reply(404, "Not Found");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.failure().code, util::ErrorCode::kHttpStatus) << identity.error();
  EXPECT_EQ(identity.failure().httpStatus, 404) << identity.error();
  EXPECT_EQ(imds.seen().size(), 2u) << "a 404 is final";
}

TEST(AwsInstanceMetadataTest, ServerErrorsOnEveryAttemptEndWithTheLastStatus) {
  FakeImds imds([](const Request& req) {
    if (req.method() == http::verb::get) return reply(503, "busy");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.failure().code, util::ErrorCode::kHttpStatus) << identity.error();
  EXPECT_EQ(identity.failure().httpStatus, 503) << identity.error();
  EXPECT_EQ(imds.seen().size(), 6u) << "three attempts of PUT and GET";
  EXPECT_EQ(identity.error().rfind("instance metadata at " + imds.endpoint() + " after 3 attempts: ", 0), 0u)
      << identity.error();
}

TEST(AwsInstanceMetadataTest, ABadDocumentIsAPlainFailureWithoutAStatus) {
  FakeImds imds([](const Request& req) { return imdsV2(req, "[]"); });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_EQ(identity.failure().code, util::ErrorCode::kFailed) << identity.error();
  EXPECT_EQ(identity.failure().httpStatus, 0);
  EXPECT_EQ(imds.seen().size(), 2u) << "a bad document is final";
}

TEST(AwsInstanceMetadataTest, ServerErrorsAreRetried) {
  std::atomic<int> puts{0};
  FakeImds imds([&](const Request& req) {
    if (req.method() == http::verb::put && puts++ == 0) return reply(503, "busy");
    return imdsV2(req, kDocument);
  });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_TRUE(identity.ok()) << identity.error();
  EXPECT_EQ(imds.seen().size(), 3u);  // PUT 503, PUT, GET
}

TEST(AwsInstanceMetadataTest, UnreachablePortFailsFastNamingTheEndpoint) {
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
  EXPECT_EQ(identity.failure().code, util::ErrorCode::kUnreachable) << identity.error();
}

TEST(AwsInstanceMetadataTest, SilentServerTimesOutWithinTheTimeout) {
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

TEST(AwsInstanceMetadataTest, InvalidEndpointsAreRejectedBeforeAnyRequest) {
  for (const char* endpoint : {"https://169.254.169.254", "169.254.169.254", "http://", "http://host:0",
                               "http://host:99999", "http://host/latest", "http://[fd00:ec2::254"}) {
    auto identity = InstanceMetadata::fetch(optionsFor(endpoint));

    ASSERT_FALSE(identity.ok()) << endpoint;
    EXPECT_EQ(identity.error().rfind("invalid instance metadata endpoint", 0), 0u) << identity.error();
  }
}

TEST(AwsInstanceMetadataTest, ComposesThePartitionFromTheRegion) {
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

TEST(AwsInstanceMetadataTest, EnvironmentOverridesTheEndpointLikeTheSdks) {
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

// ---- against the real amazon-ec2-metadata-mock (test/e2e/test_imds.py) -------

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

TEST(AwsInstanceMetadataLive, MockServesTheModeThisRunNeeds) {
  const auto endpoint = env("IRSA_IMDS_ENDPOINT");
  if (!endpoint) GTEST_SKIP() << "IRSA_IMDS_ENDPOINT is not set (test/e2e/test_imds.py sets it)";
  const char* document = "/latest/dynamic/instance-identity/document";
  if (env("IRSA_IMDS_MODE").value_or("v2") == "v1") {
    // IMDSv1 only: the token PUT is refused, so the fetch below proves the fallback.
    const unsigned put = liveStatus(*endpoint, http::verb::put, "/latest/api/token");
    EXPECT_TRUE(put == 403 || put == 404 || put == 405) << "token PUT answered " << put;
    EXPECT_EQ(liveStatus(*endpoint, http::verb::get, document), 200u);
    return;
  }
  // test_imds.py runs the mock IMDSv2-only, so the fetch below proves the token flow.
  EXPECT_EQ(liveStatus(*endpoint, http::verb::get, document), 401u)
      << "a GET without a token must be refused (mock started without -I?)";
}

TEST(AwsInstanceMetadataLive, ReadsTheMocksAccountAndRegion) {
  const auto endpoint = env("IRSA_IMDS_ENDPOINT");
  if (!endpoint) GTEST_SKIP() << "IRSA_IMDS_ENDPOINT is not set (test/e2e/test_imds.py sets it)";
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
}  // namespace irsa::aws
