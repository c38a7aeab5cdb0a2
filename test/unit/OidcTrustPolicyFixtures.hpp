#pragma once
// What the trust-policy tests share: the provider ARNs, parsed subjects, the
// edits that must succeed, and IAM's decision on a policy for one subject.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "oidc/PolicyEvaluator.hpp"
#include "oidc/TrustPolicy.hpp"

namespace irsa::oidc::policytest {

inline const std::string kArnText = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster";
inline const std::string kOtherArnText = "arn:aws:iam::111122223333:oidc-provider/other.example.com";

inline ProviderArn arn(const std::string& text = kArnText) {
  auto parsed = parseProviderArn(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : ProviderArn{};
}

inline Subject subject(const std::string& text) {
  auto parsed = parseSubject(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : Subject{};
}

inline std::string added(const std::string& policy, const std::string& s,
                         std::optional<ProviderArn> p = std::nullopt) {
  auto result = addSubject(policy, subject(s), p);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? *result : "";
}

inline std::string removed(const std::string& policy, const std::string& s,
                           std::optional<ProviderArn> p = std::nullopt) {
  auto result = removeSubject(policy, subject(s), p);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? *result : "";
}

inline Decision decide(const std::string& policy, const std::string& sub) {
  auto evaluation = evaluateTrustPolicy(policy, webIdentityRequest(arn(), sub, {"sts.amazonaws.com"}));
  EXPECT_TRUE(evaluation.ok()) << evaluation.error();
  return evaluation.ok() ? evaluation->decision : Decision::kExplicitDeny;
}

// What `create` writes for team-a:app.
inline const std::string kCreatedOne = R"({
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
        }
    ]
}
)";

}  // namespace irsa::oidc::policytest
