// oidc/PodLints: doctor's pod check, on pods as the webhook leaves them.
#include <gtest/gtest.h>

#include <string>

#include "oidc/PodLints.hpp"
#include "webhook/Json.hpp"

namespace {

constexpr const char* kTokenEnv =
    R"({"name":"AWS_WEB_IDENTITY_TOKEN_FILE","value":"/var/run/secrets/eks.amazonaws.com/serviceaccount/token"})";

std::vector<std::string> lint(const std::string& podJson, const std::vector<std::string>& regions = {}) {
  rapidjson::Document pod;
  EXPECT_TRUE(irsa::webhook::parseJson(pod, podJson, 64)) << podJson;
  return irsa::oidc::lintPod(pod, regions);
}

std::string joined(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines)
    all += line + "\n";
  return all;
}

}  // namespace

TEST(OidcPodLints, NonRootWithoutFsGroupCannotReadTheToken) {
  const std::string container = R"({"name":"app","env":[)" + std::string(kTokenEnv) + "]";
  auto findings =
      lint(R"({"spec":{"securityContext":{"runAsUser":1000},"containers":[)" + container + "}]}}");
  ASSERT_EQ(findings.size(), 1U) << joined(findings);
  EXPECT_NE(findings[0].find("container app runs as non-root without a pod fsGroup"), std::string::npos);
  // runAsNonRoot on the container says the same.
  EXPECT_EQ(lint(R"({"spec":{"containers":[)" + container + R"(,"securityContext":{"runAsNonRoot":true}}]}})")
                .size(),
            1U);
  // With an fsGroup, or running as root, the token is readable.
  EXPECT_TRUE(lint(R"({"spec":{"securityContext":{"runAsUser":1000,"fsGroup":2000},"containers":[)" +
                   container + "}]}}")
                  .empty());
  EXPECT_TRUE(lint(R"({"spec":{"securityContext":{"runAsUser":1000},"containers":[)" + container +
                   R"(,"securityContext":{"runAsUser":0}}]}})")
                  .empty());
}

TEST(OidcPodLints, AWindowsPodNeedsACTokenPath) {
  const std::string spec =
      R"({"spec":{"nodeSelector":{"kubernetes.io/os":"windows"},"containers":[{"name":"w","env":[)";
  auto findings = lint(spec + kTokenEnv + "]}]}}");
  ASSERT_EQ(findings.size(), 1U) << joined(findings);
  EXPECT_NE(findings[0].find("runs on Windows but AWS_WEB_IDENTITY_TOKEN_FILE is /var/run"),
            std::string::npos);
  EXPECT_TRUE(lint(spec + R"({"name":"AWS_WEB_IDENTITY_TOKEN_FILE","value":"C:\\var\\token"}]}]}})").empty());
}

TEST(OidcPodLints, NoRegionalStsWhereTheVpcHasAnStsEndpoint) {
  const std::string pod = R"({"spec":{"containers":[{"name":"app","env":[)" + std::string(kTokenEnv) +
                          R"(,{"name":"AWS_REGION","value":"eu-west-1"}]}]}})";
  EXPECT_TRUE(lint(pod).empty());
  auto findings = lint(pod, {"eu-west-1"});
  ASSERT_EQ(findings.size(), 1U) << joined(findings);
  EXPECT_NE(findings[0].find("no AWS_STS_REGIONAL_ENDPOINTS=regional in eu-west-1"), std::string::npos);
  const std::string regional = R"({"spec":{"containers":[{"name":"app","env":[)" + std::string(kTokenEnv) +
                               R"(,{"name":"AWS_REGION","value":"eu-west-1"},)"
                               R"({"name":"AWS_STS_REGIONAL_ENDPOINTS","value":"regional"}]}]}})";
  EXPECT_TRUE(lint(regional, {"eu-west-1"}).empty());
}

TEST(OidcPodLints, AContainerWithoutAnIdentityIsNotLinted) {
  EXPECT_TRUE(lint(R"({"spec":{"securityContext":{"runAsUser":1000},"containers":[{"name":"a"}]}})").empty());
  EXPECT_EQ(lint(R"({"metadata":{}})"), std::vector<std::string>{"the pod has no spec"});
}
