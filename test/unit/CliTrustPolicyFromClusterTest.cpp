// `trust-policy from-cluster --service-accounts FILE` through the binary:
// the webhook's --annotation-prefix and --token-audience decide which
// ServiceAccounts count and which audience their tokens carry. The cluster
// path, against the real apiserver: test/e2e/test_trust_policy.py.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "test/support/CliRun.hpp"
#include "test/support/TempDir.hpp"

namespace {

const std::string kArn = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster";
const std::string kRole = "arn:aws:iam::111122223333:role/shared";

std::set<std::string> strings(const rapidjson::Value& value) {
  std::set<std::string> out;
  if (value.IsString()) out.insert(value.GetString());
  if (value.IsArray()) {
    for (const auto& item : value.GetArray())
      out.insert(item.GetString());
  }
  return out;
}

TEST(CliTrustPolicyFromCluster, TheAnnotationPrefixAndTokenAudienceAreTheWebhooks) {
  irsa::testsupport::TempDir dir;
  irsa::testsupport::writeFileAtomically(dir.file("sa.yaml"), R"(apiVersion: v1
kind: List
items:
- metadata: {name: app, namespace: team-a, annotations: {example.com/role-arn: ')" +
                                                                  kRole +
                                                                  R"(', example.com/audience: vault}}
- metadata: {name: web, namespace: team-b, annotations: {example.com/role-arn: ')" +
                                                                  kRole + R"('}}
- metadata: {name: x, namespace: team-c, annotations: {example.com/role-arn: not-an-arn}}
- metadata: {name: dev, namespace: team-d, annotations: {eks.amazonaws.com/role-arn: 'arn:aws:iam::111122223333:role/other'}}
)");
  const auto r =
      irsa::testsupport::runCli(dir.path(), {"trust-policy", "from-cluster", "--provider-arn", kArn,
                                             "--service-accounts", dir.file("sa.yaml"), "--annotation-prefix",
                                             "example.com", "--token-audience", "sts.example"});
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("skipping team-c/x: example.com/role-arn \"not-an-arn\" is not an IAM role ARN"),
            std::string::npos)
      << r.err;
  rapidjson::Document doc;
  doc.Parse(r.out.c_str());
  ASSERT_FALSE(doc.HasParseError()) << r.out;
  ASSERT_EQ(doc.MemberCount(), 1u) << r.out;  // team-d's annotation is under another prefix
  ASSERT_TRUE(doc.HasMember(kRole.c_str())) << r.out;
  const auto& statement = doc[kRole.c_str()]["Statement"][0];
  const auto& equals = statement["Condition"]["StringEquals"];
  EXPECT_EQ(strings(equals["oidc.example.com/cluster:aud"]), (std::set<std::string>{"sts.example", "vault"}));
  EXPECT_EQ(strings(equals["oidc.example.com/cluster:sub"]),
            (std::set<std::string>{"system:serviceaccount:team-a:app", "system:serviceaccount:team-b:web"}));
}

TEST(CliTrustPolicyFromCluster, AServiceAccountsFileThatDoesNotParseExitsTwo) {
  irsa::testsupport::TempDir dir;
  irsa::testsupport::writeFileAtomically(dir.file("sa.yaml"), "items: [ {metadata: ");
  const auto r = irsa::testsupport::runCli(dir.path(), {"trust-policy", "from-cluster", "--provider-arn",
                                                        kArn, "--service-accounts", dir.file("sa.yaml")});
  EXPECT_EQ(r.exitCode, 2) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("irsa-webhook trust-policy from-cluster: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

}  // namespace
