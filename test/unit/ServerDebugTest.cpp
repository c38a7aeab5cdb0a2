// --enable-debugging-handlers: GET /debug/alpha/cache dumps the identity
// cache in the reference's shape; without the flag the path does not exist.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

namespace http = boost::beast::http;

TEST(ServerDebugTest, CacheDumpListsEveryServiceAccountWithItsResolvedParameters) {
  TestServer::Options options;
  options.extraArgs = {"--enable-debugging-handlers", "--token-expiration", "7200"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  Reply reply = server->request(makeRequest(http::verb::get, "/debug/alpha/cache"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  ASSERT_EQ(reply.response.result(), http::status::ok) << reply.response.body();
  rapidjson::Document doc;
  doc.Parse(reply.response.body().c_str());
  ASSERT_TRUE(doc.IsObject()) << reply.response.body();
  ASSERT_TRUE(doc.HasMember("default/annotated"));
  ASSERT_TRUE(doc.HasMember("default/plain"));
  const auto& annotated = doc["default/annotated"];
  EXPECT_STREQ(annotated["RoleARN"].GetString(), kRoleArn);
  EXPECT_STREQ(annotated["Audience"].GetString(), "sts.amazonaws.com");
  EXPECT_FALSE(annotated["UseRegionalSTS"].GetBool());
  EXPECT_EQ(annotated["TokenExpiration"].GetInt64(), 7200);
  EXPECT_STREQ(doc["default/plain"]["RoleARN"].GetString(), "");
}

TEST(ServerDebugTest, CacheDumpIsNotServedWithoutTheFlag) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  Reply reply = server->request(makeRequest(http::verb::get, "/debug/alpha/cache"));
  ASSERT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::not_found);
}

}  // namespace
}  // namespace irsa::testsupport
