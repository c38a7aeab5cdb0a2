// The IMDSv1 fallback of InstanceMetadata, as the AWS SDKs do it: a refused or
// unanswered token PUT reads the document without a token; anything else
// about the PUT is final. Against the in-test IMDS of AwsFakeImds.hpp.

#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>

#include "aws/InstanceMetadata.hpp"
#include "test/unit/AwsFakeImds.hpp"

namespace irsa::aws {
namespace {

using namespace irsa::aws::testing;  // NOLINT(google-build-using-namespace): the fake's vocabulary

// An IMDS with IMDSv1 only: the token endpoint answers `tokenStatus`, the
// document is served without a token.
Response imdsV1(const Request& req, unsigned tokenStatus) {
  if (req.target() == "/latest/api/token") return reply(tokenStatus, "no tokens here");
  if (req.target() == "/latest/dynamic/instance-identity/document") return reply(200, kDocument);
  return reply(404, "");
}

TEST(AwsInstanceMetadataFallbackTest, RefusedTokenFallsBackToImdsV1LikeTheSdks) {
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

TEST(AwsInstanceMetadataFallbackTest, TokenRequestThatTimesOutFallsBackToImdsV1WithAFreshDeadline) {
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

TEST(AwsInstanceMetadataFallbackTest, ImdsV1RefusedTooNamesBothSteps) {
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
  EXPECT_EQ(identity.failure().code, util::ErrorCode::kHttpStatus) << identity.error();
  EXPECT_EQ(identity.failure().httpStatus, 401) << "the IMDSv1 GET's status, the last answer";
}

TEST(AwsInstanceMetadataFallbackTest, BadRequestForTheTokenIsFinalWithoutFallback) {
  FakeImds imds([](const Request& req) { return imdsV1(req, 400); });

  auto identity = InstanceMetadata::fetch(optionsFor(imds.endpoint()));

  ASSERT_FALSE(identity.ok());
  EXPECT_NE(identity.error().find("PUT /latest/api/token answered HTTP 400"), std::string::npos)
      << identity.error();
  EXPECT_EQ(imds.seen().size(), 1u);
  EXPECT_EQ(identity.failure().httpStatus, 400) << identity.error();
}

TEST(AwsInstanceMetadataFallbackTest, AfterAFallbackRetriesStayOnImdsV1) {
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

}  // namespace
}  // namespace irsa::aws
