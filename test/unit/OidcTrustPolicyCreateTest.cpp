// oidc/TrustPolicy: the policy `trust-policy create` writes.
#include <gtest/gtest.h>

#include <string>

#include "test/unit/OidcTrustPolicyFixtures.hpp"

namespace irsa::oidc {
namespace {

using namespace policytest;

TEST(OidcTrustPolicyCreateTest, WritesOneStatementWithAudienceAndSubjectFourSpacesIndented) {
  EXPECT_EQ(createTrustPolicy(arn(), {subject("team-a:app")}), kCreatedOne);
}

TEST(OidcTrustPolicyCreateTest, ListsSeveralAudiencesAndDropsDuplicateSubjects) {
  const std::string policy = createTrustPolicy(
      arn(), {subject("team-a:app"), subject("system:serviceaccount:team-a:app"), subject("team-b:web")},
      {"sts.amazonaws.com", "other"});
  EXPECT_NE(policy.find(R"("oidc.example.com/cluster:aud": [
                        "sts.amazonaws.com",
                        "other"
                    ],)"),
            std::string::npos)
      << policy;
  EXPECT_NE(policy.find(R"("oidc.example.com/cluster:sub": [
                        "system:serviceaccount:team-a:app",
                        "system:serviceaccount:team-b:web"
                    ])"),
            std::string::npos)
      << policy;
}

const std::string kCreatedMixed = R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "oidc.example.com/cluster:aud": "sts.amazonaws.com",
                    "oidc.example.com/cluster:sub": [
                        "system:serviceaccount:team-a:app"
                    ]
                }
            }
        },
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "oidc.example.com/cluster:aud": "sts.amazonaws.com"
                },
                "StringLike": {
                    "oidc.example.com/cluster:sub": [
                        "system:serviceaccount:team-*:*"
                    ]
                }
            }
        }
    ]
}
)";

// IAM ANDs operators: StringEquals and StringLike on `:sub` in one statement
// would admit nobody, so patterns get a statement of their own.
TEST(OidcTrustPolicyCreateTest, PutsPatternsInASecondStatementSoBothKindsAreAllowed) {
  const std::string policy = createTrustPolicy(arn(), {subject("team-*:*"), subject("team-a:app")});
  EXPECT_EQ(policy, kCreatedMixed);
  EXPECT_EQ(decide(policy, "system:serviceaccount:team-a:app"), Decision::kAllow);
  EXPECT_EQ(decide(policy, "system:serviceaccount:team-b:web"), Decision::kAllow);
  EXPECT_EQ(decide(policy, "system:serviceaccount:other:web"), Decision::kImplicitDeny);
}

TEST(OidcTrustPolicyCreateTest, WithOnlyPatternsHasOnlyTheStringLikeStatement) {
  const std::string policy = createTrustPolicy(arn(), {subject("ns:*")});
  EXPECT_EQ(policy.find("\"oidc.example.com/cluster:sub\": [\n                        \"system"),
            policy.rfind("\"oidc.example.com/cluster:sub\""));
  EXPECT_NE(policy.find("\"StringLike\""), std::string::npos) << policy;
  EXPECT_EQ(policy.find("\"Effect\""), policy.rfind("\"Effect\"")) << policy;
}

}  // namespace
}  // namespace irsa::oidc
