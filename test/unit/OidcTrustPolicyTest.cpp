// oidc/TrustPolicy: the policy `trust-policy create` writes, and the edits of
// `add` / `remove`, which keep everything they do not own where it was.
#include <gtest/gtest.h>

#include <string>

#include "oidc/PolicyEvaluator.hpp"
#include "oidc/TrustPolicy.hpp"

namespace irsa::oidc {
namespace {

const std::string kArnText = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster";
const std::string kOtherArnText = "arn:aws:iam::111122223333:oidc-provider/other.example.com";

ProviderArn arn(const std::string& text = kArnText) {
  auto parsed = parseProviderArn(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : ProviderArn{};
}

Subject subject(const std::string& text) {
  auto parsed = parseSubject(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? *parsed : Subject{};
}

std::string added(const std::string& policy, const std::string& s,
                  std::optional<ProviderArn> p = std::nullopt) {
  auto result = addSubject(policy, subject(s), p);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? *result : "";
}

std::string removed(const std::string& policy, const std::string& s,
                    std::optional<ProviderArn> p = std::nullopt) {
  auto result = removeSubject(policy, subject(s), p);
  EXPECT_TRUE(result.ok()) << result.error();
  return result.ok() ? *result : "";
}

Decision decide(const std::string& policy, const std::string& sub) {
  auto evaluation = evaluateTrustPolicy(policy, webIdentityRequest(arn(), sub, {"sts.amazonaws.com"}));
  EXPECT_TRUE(evaluation.ok()) << evaluation.error();
  return evaluation.ok() ? evaluation->decision : Decision::kExplicitDeny;
}

const std::string kCreatedOne = R"({
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

TEST(OidcTrustPolicyTest, CreateWritesOneStatementWithAudienceAndSubjectFourSpacesIndented) {
  EXPECT_EQ(createTrustPolicy(arn(), {subject("team-a:app")}), kCreatedOne);
}

TEST(OidcTrustPolicyTest, CreateListsSeveralAudiencesAndDropsDuplicateSubjects) {
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
TEST(OidcTrustPolicyTest, CreatePutsPatternsInASecondStatementSoBothKindsAreAllowed) {
  const std::string policy = createTrustPolicy(arn(), {subject("team-*:*"), subject("team-a:app")});
  EXPECT_EQ(policy, kCreatedMixed);
  EXPECT_EQ(decide(policy, "system:serviceaccount:team-a:app"), Decision::kAllow);
  EXPECT_EQ(decide(policy, "system:serviceaccount:team-b:web"), Decision::kAllow);
  EXPECT_EQ(decide(policy, "system:serviceaccount:other:web"), Decision::kImplicitDeny);
}

TEST(OidcTrustPolicyTest, CreateWithOnlyPatternsHasOnlyTheStringLikeStatement) {
  const std::string policy = createTrustPolicy(arn(), {subject("ns:*")});
  EXPECT_EQ(policy.find("\"oidc.example.com/cluster:sub\": [\n                        \"system"),
            policy.rfind("\"oidc.example.com/cluster:sub\""));
  EXPECT_NE(policy.find("\"StringLike\""), std::string::npos) << policy;
  EXPECT_EQ(policy.find("\"Effect\""), policy.rfind("\"Effect\"")) << policy;
}

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

TEST(OidcTrustPolicyTest, AddAppendsToTheScalarSubAsAListAndKeepsEverythingElseInOrder) {
  EXPECT_EQ(added(kExisting, "team-b:app"), kExistingPlusB);
}

TEST(OidcTrustPolicyTest, AddingTwiceIsAddingOnce) {
  EXPECT_EQ(added(added(kExisting, "team-b:app"), "team-b:app"), kExistingPlusB);
  EXPECT_EQ(added(kExisting, "system:serviceaccount:team-a:app"), added(kExisting, "team-a:app"));
}

TEST(OidcTrustPolicyTest, RemoveUndoesAddAndRemovingAnAbsentSubjectChangesNothing) {
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

TEST(OidcTrustPolicyTest, AddPutsAPatternInStringLikeWhenTheStatementHasNoSubYet) {
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

TEST(OidcTrustPolicyTest, AddCreatesTheConditionWhenTheStatementHasNone) {
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

TEST(OidcTrustPolicyTest, AddingAPatternBesideExactSubjectsCopiesTheStatementSoBothStillWork) {
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

TEST(OidcTrustPolicyTest, AnExactSubjectJoinsAStringLikeSubListWhereTheStatementKeepsIt) {
  const std::string policy = createTrustPolicy(arn(), {subject("ns:*")});
  const std::string result = added(policy, "a:b");
  EXPECT_NE(result.find(R"("system:serviceaccount:ns:*",
                        "system:serviceaccount:a:b")"),
            std::string::npos)
      << result;
  EXPECT_EQ(result.find("StringEquals\": {\n                    \"oidc.example.com/cluster:sub"),
            std::string::npos);
}

TEST(OidcTrustPolicyTest, TheSubKeyIsFoundIgnoringCase) {
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

TEST(OidcTrustPolicyTest, RemovingTheLastSubjectOfAStatementRemovesTheStatementNotJustTheKey) {
  const std::string both = createTrustPolicy(arn(), {subject("team-a:app"), subject("team-*:*")});
  const std::string result = removed(both, "team-a:app");
  // Without its sub the first statement would trust every service account.
  EXPECT_EQ(result, createTrustPolicy(arn(), {subject("team-*:*")}));
  EXPECT_NE(result.find("\"oidc.example.com/cluster:aud\": \"sts.amazonaws.com\""), std::string::npos);
}

TEST(OidcTrustPolicyTest, AnEmptiedKeyAndOperatorGoButAudAndOtherKeysStay) {
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

TEST(OidcTrustPolicyTest, RemovingTheOnlySubjectLeftIsRefused) {
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

TEST(OidcTrustPolicyTest, WithSeveralProvidersTheArnChoosesTheStatement) {
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

TEST(OidcTrustPolicyTest, TheTrustedProviderIsTheOnlyOneTheWebIdentityStatementsFederate) {
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

TEST(OidcTrustPolicyTest, WhatCannotBeEditedFailsWithOneLine) {
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
