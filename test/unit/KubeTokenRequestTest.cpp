// The TokenRequest object doctor posts, and reading the token out of the
// apiserver's answer.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "kube/TokenRequest.hpp"

namespace irsa::kube {
namespace {

TEST(KubeTokenRequest, TheTargetIsTheServiceAccountsTokenSubresource) {
  EXPECT_EQ(tokenRequestTarget("team-a", "app"), "/api/v1/namespaces/team-a/serviceaccounts/app/token");
}

TEST(KubeTokenRequest, TheBodyAsksForOneAudienceAndTheLifetime) {
  const std::string body = tokenRequestBody("sts.amazonaws.com", 86400);
  EXPECT_EQ(body, R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",)"
                  R"("spec":{"audiences":["sts.amazonaws.com"],"expirationSeconds":86400}})");
}

TEST(KubeTokenRequest, AnAudienceWithQuotesIsEscaped) {
  rapidjson::Document doc;
  doc.Parse(tokenRequestBody(R"(a"b\c)", 600).c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_STREQ(doc["spec"]["audiences"][0].GetString(), R"(a"b\c)");
  EXPECT_EQ(doc["spec"]["expirationSeconds"].GetInt64(), 600);
}

TEST(KubeTokenRequest, ReadsTheTokenAndItsExpiry) {
  auto issued = parseTokenRequestResponse(
      R"({"kind":"TokenRequest","apiVersion":"authentication.k8s.io/v1","metadata":{},)"
      R"("spec":{"audiences":["sts.amazonaws.com"]},)"
      R"("status":{"token":"eyJ.x.y","expirationTimestamp":"2026-12-05T12:00:00Z"}})");
  ASSERT_TRUE(issued.ok()) << issued.error();
  EXPECT_EQ(issued->token, "eyJ.x.y");
  EXPECT_EQ(issued->expirationTimestamp, "2026-12-05T12:00:00Z");
}

TEST(KubeTokenRequest, AnAnswerThatIsNoTokenRequestFails) {
  struct Case {
    const char* body;
    const char* error;
  };
  for (const Case& c : {
           Case{"not json", "TokenRequest answer: "},
           Case{R"({"kind":"Status","code":403})", "TokenRequest answer: not a TokenRequest object"},
           Case{R"([1])", "TokenRequest answer: not a TokenRequest object"},
           Case{R"({"kind":"TokenRequest"})", "TokenRequest answer: no status.token"},
           Case{R"({"kind":"TokenRequest","status":{"token":""}})", "TokenRequest answer: no status.token"},
           Case{R"({"kind":"TokenRequest","status":{"token":7}})", "TokenRequest answer: no status.token"},
       }) {
    auto issued = parseTokenRequestResponse(c.body);
    ASSERT_FALSE(issued.ok()) << c.body;
    EXPECT_EQ(issued.error().rfind(c.error, 0), 0u) << c.body << " -> " << issued.error();
  }
}

}  // namespace
}  // namespace irsa::kube
