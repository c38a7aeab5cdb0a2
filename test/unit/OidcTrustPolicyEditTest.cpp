// oidc/TrustPolicy: the edits of `trust-policy add` / `remove`, which keep
// everything they do not own where it was, and the provider a policy trusts.
#include <gtest/gtest.h>

#include <string>

#include "test/unit/OidcTrustPolicyFixtures.hpp"

namespace irsa::oidc {
namespace {

using namespace policytest;

// Other statements, operators and keys in an order of their own: an edit
// must leave them exactly there.
const std::string kExisting = R"({"Version":"2012-10-17","Statement":[
  {"Sid":"Ec2","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},
  {"Sid":"Irsa","Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster"},
   "Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],
   "Condition":{"StringEquals":{"oidc.example.com/cluster:sub":"system:serviceaccount:team-a:app",
                                "oidc.example.com/cluster:aud":"sts.amazonaws.com"},
                "IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]})";

const std::string kExistingPlusB = R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Ec2",
            "Effect": "Allow",
            "Principal": {
                "Service": "ec2.amazonaws.com"
            },
            "Action": "sts:AssumeRole"
        },
        {
            "Sid": "Irsa",
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster"
            },
            "Action": [
                "sts:AssumeRoleWithWebIdentity",
                "sts:TagSession"
            ],
            "Condition": {
                "StringEquals": {
                    "oidc.example.com/cluster:sub": [
                        "system:serviceaccount:team-a:app",
                        "system:serviceaccount:team-b:app"
                    ],
                    "oidc.example.com/cluster:aud": "sts.amazonaws.com"
                },
                "IpAddress": {
                    "aws:SourceIp": "10.0.0.0/8"
                }
            }
        }
    ]
}
)";

TEST(OidcTrustPolicyEditTest, AddAppendsToTheScalarSubAsAListAndKeepsEverythingElseInOrder) {
  EXPECT_EQ(added(kExisting, "team-b:app"), kExistingPlusB);
}

TEST(OidcTrustPolicyEditTest, AddingTwiceIsAddingOnce) {
  EXPECT_EQ(added(added(kExisting, "team-b:app"), "team-b:app"), kExistingPlusB);
  EXPECT_EQ(added(kExisting, "system:serviceaccount:team-a:app"), added(kExisting, "team-a:app"));
}

TEST(OidcTrustPolicyEditTest, RemoveUndoesAddAndRemovingAnAbsentSubjectChangesNothing) {
  const std::string once = removed(kExistingPlusB, "team-b:app");
  EXPECT_EQ(once.find("team-b"), std::string::npos) << once;
  EXPECT_NE(once.find(R"("oidc.example.com/cluster:sub": [
                        "system:serviceaccount:team-a:app"
                    ],
                    "oidc.example.com/cluster:aud": "sts.amazonaws.com")"),
            std::string::npos)
      << once;
  EXPECT_EQ(removed(once, "team-b:app"), once);
  EXPECT_EQ(removed(kExisting, "nobody:here"), removed(kExisting, "nobody:else"));
}

TEST(OidcTrustPolicyEditTest, AddPutsAPatternInStringLikeWhenTheStatementHasNoSubYet) {
  const std::string policy =
      R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
    "Principal":{"Federated":")" +
      kArnText + R"("},"Condition":{"StringEquals":{"oidc.example.com/cluster:aud":"sts.amazonaws.com"}}}})";
  const std::string result = added(policy, "team-*:*");
  EXPECT_NE(result.find(R"(            "StringEquals": {
                "oidc.example.com/cluster:aud": "sts.amazonaws.com"
            },
            "StringLike": {
                "oidc.example.com/cluster:sub": [
                    "system:serviceaccount:team-*:*"
                ]
            })"),
            std::string::npos)
      << result;
  EXPECT_EQ(decide(result, "system:serviceaccount:team-x:y"), Decision::kAllow);
}

TEST(OidcTrustPolicyEditTest, AddCreatesTheConditionWhenTheStatementHasNone) {
  const std::string policy = R"({"Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
    "Principal":{"Federated":")" +
                             kArnText + R"("}}]})";
  const std::string result = added(policy, "ns:sa");
  EXPECT_NE(result.find(R"(            "Condition": {
                "StringEquals": {
                    "oidc.example.com/cluster:sub": [
                        "system:serviceaccount:ns:sa"
                    ]
                }
            })"),
            std::string::npos)
      << result;
}

TEST(OidcTrustPolicyEditTest, AddingAPatternBesideExactSubjectsCopiesTheStatementSoBothStillWork) {
  const std::string result = added(kExisting, "team-*:*");
  EXPECT_EQ(decide(result, "system:serviceaccount:team-a:app"), Decision::kImplicitDeny);  // IpAddress fails
  // The copy keeps the other conditions and drops the Sid, which must stay unique.
  EXPECT_EQ(result.find("\"Sid\": \"Irsa\""), result.rfind("\"Sid\": \"Irsa\"")) << result;
  EXPECT_EQ(result.find("\"IpAddress\"") != result.rfind("\"IpAddress\""), true) << result;
  const std::string plain = createTrustPolicy(arn(), {subject("team-a:app")});
  const std::string both = added(plain, "team-*:*");
  EXPECT_EQ(both, createTrustPolicy(arn(), {subject("team-a:app"), subject("team-*:*")}));
  EXPECT_EQ(decide(both, "system:serviceaccount:team-a:app"), Decision::kAllow);
  EXPECT_EQ(decide(both, "system:serviceaccount:team-z:app"), Decision::kAllow);
  EXPECT_EQ(removed(removed(both, "team-*:*"), "team-b:x"), plain);
}

TEST(OidcTrustPolicyEditTest, AnExactSubjectJoinsAStringLikeSubListWhereTheStatementKeepsIt) {
  const std::string policy = createTrustPolicy(arn(), {subject("ns:*")});
  const std::string result = added(policy, "a:b");
  EXPECT_NE(result.find(R"("system:serviceaccount:ns:*",
                        "system:serviceaccount:a:b")"),
            std::string::npos)
      << result;
  EXPECT_EQ(result.find("StringEquals\": {\n                    \"oidc.example.com/cluster:sub"),
            std::string::npos);
}

TEST(OidcTrustPolicyEditTest, TheSubKeyIsFoundIgnoringCase) {
  const std::string policy =
      R"({"Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
    "Principal":{"Federated":")" +
      kArnText +
      R"("},"Condition":{"StringEquals":{"OIDC.example.com/cluster:SUB":["system:serviceaccount:a:b"]}}}]})";
  const std::string result = added(policy, "c:d");
  EXPECT_NE(result.find(R"("OIDC.example.com/cluster:SUB": [
                        "system:serviceaccount:a:b",
                        "system:serviceaccount:c:d"
                    ])"),
            std::string::npos)
      << result;
}

TEST(OidcTrustPolicyEditTest, RemovingTheLastSubjectOfAStatementRemovesTheStatementNotJustTheKey) {
  const std::string both = createTrustPolicy(arn(), {subject("team-a:app"), subject("team-*:*")});
  const std::string result = removed(both, "team-a:app");
  // Without its sub the first statement would trust every service account.
  EXPECT_EQ(result, createTrustPolicy(arn(), {subject("team-*:*")}));
  EXPECT_NE(result.find("\"oidc.example.com/cluster:aud\": \"sts.amazonaws.com\""), std::string::npos);
}

TEST(OidcTrustPolicyEditTest, AnEmptiedKeyAndOperatorGoButAudAndOtherKeysStay) {
  // A statement with two sub keys (the AND form): emptying one leaves the other.
  const std::string policy =
      R"({"Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
    "Principal":{"Federated":")" +
      kArnText +
      R"("},"Condition":{"StringEquals":{"oidc.example.com/cluster:aud":"sts.amazonaws.com"},
    "StringLike":{"oidc.example.com/cluster:sub":"system:serviceaccount:a:*"},
    "ForAnyValue:StringEquals":{"oidc.example.com/cluster:amr":"x"}}},
    {"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{"Federated":")" +
      kArnText +
      R"("},"Condition":{"StringEquals":{"oidc.example.com/cluster:sub":"system:serviceaccount:keep:me"}}}]})";
  const std::string result = removed(policy, "a:*");
  EXPECT_EQ(result.find("StringLike"), std::string::npos) << result;
  EXPECT_EQ(result.find("system:serviceaccount:a:*"), std::string::npos) << result;
  EXPECT_NE(result.find("system:serviceaccount:keep:me"), std::string::npos) << result;
  EXPECT_EQ(result.find("amr"), std::string::npos) << "the emptied statement is removed whole: " << result;

  const std::string twoKeys =
      R"({"Statement":{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity",
    "Principal":{"Federated":")" +
      kArnText +
      R"("},"Condition":{"StringLike":{"oidc.example.com/cluster:sub":["system:serviceaccount:a:*"]},
    "StringEquals":{"oidc.example.com/cluster:sub":"system:serviceaccount:a:b","oidc.example.com/cluster:aud":"sts.amazonaws.com"}}}})";
  const std::string kept = removed(twoKeys, "a:*");
  EXPECT_EQ(kept, R"({
    "Statement": {
        "Effect": "Allow",
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {
            "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster"
        },
        "Condition": {
            "StringEquals": {
                "oidc.example.com/cluster:sub": "system:serviceaccount:a:b",
                "oidc.example.com/cluster:aud": "sts.amazonaws.com"
            }
        }
    }
}
)");
  const std::string listKept = removed(kept, "x:y");
  EXPECT_EQ(listKept, kept) << "an untouched scalar stays a scalar";
}

TEST(OidcTrustPolicyEditTest, RemovingTheOnlySubjectLeftIsRefused) {
  auto result = removeSubject(kCreatedOne, subject("team-a:app"), std::nullopt);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error(),
            "removing system:serviceaccount:team-a:app would leave no statement (one without a sub condition "
            "would trust every service account): delete the role or replace its trust policy instead");
}

const std::string kTwoProviders = R"({"Statement":[
  {"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{"Federated":")" +
                                  kArnText + R"("},
   "Condition":{"StringEquals":{"oidc.example.com/cluster:sub":["system:serviceaccount:a:b"]}}},
  {"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{"Federated":")" +
                                  kOtherArnText + R"("},
   "Condition":{"StringEquals":{"other.example.com:sub":["system:serviceaccount:a:b"]}}}]})";

TEST(OidcTrustPolicyEditTest, WithSeveralProvidersTheArnChoosesTheStatement) {
  auto ambiguous = addSubject(kTwoProviders, subject("c:d"), std::nullopt);
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.error(), "the policy trusts several OIDC providers (" + kArnText + ", " +
                                   kOtherArnText + "): pass --provider-arn to choose one");
  const std::string result = added(kTwoProviders, "c:d", arn(kOtherArnText));
  EXPECT_NE(result.find(R"("other.example.com:sub": [
                        "system:serviceaccount:a:b",
                        "system:serviceaccount:c:d"
                    ])"),
            std::string::npos)
      << result;
  EXPECT_EQ(result.find("system:serviceaccount:c:d"), result.rfind("system:serviceaccount:c:d")) << result;
}

struct EditError {
  const char* name;
  std::string policy;
  std::optional<std::string> arn;
  std::string error;
};

TEST(OidcTrustPolicyEditTest, TheTrustedProviderIsTheOnlyOneTheWebIdentityStatementsFederate) {
  auto one = trustedProvider(kExisting);
  ASSERT_TRUE(one.ok()) << one.error();
  EXPECT_EQ(one->text, kArnText);
  auto two = trustedProvider(kTwoProviders);
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().rfind("the policy trusts several OIDC providers (", 0), 0u) << two.error();
  auto none = trustedProvider(
      R"({"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}})");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "no Allow statement for sts:AssumeRoleWithWebIdentity federates an OIDC provider");
  EXPECT_FALSE(trustedProvider("{").ok());
}

TEST(OidcTrustPolicyEditTest, WhatCannotBeEditedFailsWithOneLine) {
  const std::vector<EditError> cases = {
      {"not JSON", "{\"Statement\": [", std::nullopt, "trust policy: invalid JSON at offset 15: "},
      {"trailing data", "{} x", std::nullopt, "trust policy: invalid JSON at offset 3: unexpected data"},
      {"not an object", "[]", std::nullopt, "the trust policy is not a JSON object"},
      {"no Statement", R"({"Version":"2012-10-17"})", std::nullopt, "the trust policy has no Statement"},
      {"Statement a string", R"({"Statement":"x"})", std::nullopt,
       "the trust policy's Statement is neither an object nor a list"},
      {"no web identity",
       R"({"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]})",
       std::nullopt, "no Allow statement for sts:AssumeRoleWithWebIdentity federates an OIDC provider"},
      {"other provider", kCreatedOne, kOtherArnText,
       "no Allow statement for sts:AssumeRoleWithWebIdentity has Principal.Federated " + kOtherArnText},
      {"deny only",
       R"({"Statement":[{"Effect":"Deny","Principal":{"Federated":")" + kArnText +
           R"("},"Action":"sts:AssumeRoleWithWebIdentity"}]})",
       std::nullopt, "no Allow statement for sts:AssumeRoleWithWebIdentity federates an OIDC provider"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<ProviderArn> provider;
    if (c.arn) provider = arn(*c.arn);
    for (const auto& result : {addSubject(c.policy, subject("a:b"), provider),
                               removeSubject(c.policy, subject("a:b"), provider)}) {
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(result.error().rfind(c.error, 0), 0u) << result.error();
      EXPECT_EQ(result.error().find('\n'), std::string::npos) << result.error();
    }
  }
}

}  // namespace
}  // namespace irsa::oidc
