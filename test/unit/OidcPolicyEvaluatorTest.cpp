// oidc/PolicyEvaluator: IAM's decision on sts:AssumeRoleWithWebIdentity, one
// table row per rule, each with the reason (or warning) a person is shown.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "oidc/PolicyEvaluator.hpp"

namespace irsa::oidc {
namespace {

constexpr std::string_view kIssuer = "oidc.example.com/cluster";
constexpr std::string_view kArn = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster";
constexpr std::string_view kOtherArn = "arn:aws:iam::111122223333:oidc-provider/other.example.com";

// `$ISS` and `$ARN` stand for the issuer and the provider ARN.
std::string expand(std::string text) {
  for (const auto& [from, to] : {std::pair{std::string_view("$ISS"), kIssuer}, {"$ARN", kArn}}) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  }
  return text;
}

// One Allow statement for the provider with `condition` (a JSON object).
std::string allow(const std::string& condition) {
  return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"$ARN"},)"
         R"("Action":"sts:AssumeRoleWithWebIdentity","Condition":)" +
         condition + "}]}";
}

// One Allow statement with these elements and no Condition.
std::string allowWith(const std::string& elements) {
  return R"({"Statement":[{"Effect":"Allow",)" + elements + "}]}";
}

const std::string kTeamA = "system:serviceaccount:team-a:app";
const std::string kTeamB = "system:serviceaccount:team-b:app";

// The request of a team-a token with the STS audience; `extra` adds keys.
RequestKeys token(const std::string& sub = kTeamA, RequestKeys extra = {}) {
  RequestKeys keys{{"$ISS:sub", {sub}}, {"$ISS:aud", {"sts.amazonaws.com"}}};
  for (auto& [k, v] : extra)
    keys[k] = v;
  return keys;
}

struct Case {
  std::string name;
  std::string policy;
  RequestKeys keys;
  Decision expected;
  std::string reason;  // in the reasons or warnings
  std::string provider = std::string(kArn);
  std::string notInReasons{};
};

const std::string kSubEq = R"({"StringEquals":{"$ISS:sub":"system:serviceaccount:team-a:app"}})";

std::vector<Case> cases() {
  const auto D = Decision::kImplicitDeny;
  const auto A = Decision::kAllow;
  const auto X = Decision::kExplicitDeny;
  return {
      // Values, keys and operators.
      {"StringEquals matches", allow(kSubEq), token(), A, "allowed by statement 1"},
      {"StringEquals mismatch names the value and the key", allow(kSubEq), token(kTeamB), D,
       "statement 1: sub `system:serviceaccount:team-b:app` matches no value of StringEquals "
       "`oidc.example.com/cluster:sub`"},
      {"values of one key are ORed",
       allow(
           R"({"StringEquals":{"$ISS:sub":["system:serviceaccount:x:y","system:serviceaccount:team-b:app"]}})"),
       token(kTeamB), A, "allowed by statement 1"},
      {"values are case-sensitive", allow(kSubEq), token("system:serviceaccount:Team-A:app"), D,
       "sub `system:serviceaccount:Team-A:app` matches no value"},
      {"keys of one operator are ANDed",
       allow(
           R"({"StringEquals":{"$ISS:sub":"system:serviceaccount:team-a:app","$ISS:aud":"sts.amazonaws.com"}})"),
       token(kTeamA, {{"$ISS:aud", {"other"}}}), D,
       "aud `other` matches no value of StringEquals `oidc.example.com/cluster:aud`"},
      {"operators are ANDed",
       allow(
           R"({"StringEquals":{"$ISS:aud":"sts.amazonaws.com"},"StringLike":{"$ISS:sub":"system:serviceaccount:x:*"}})"),
       token(), D, "matches no value of StringLike `oidc.example.com/cluster:sub`"},
      {"condition keys are case-insensitive",
       allow(R"({"StringEquals":{"OIDC.EXAMPLE.COM/Cluster:SUB":"system:serviceaccount:team-a:app"}})"),
       token(), A, "allowed by statement 1"},
      {"StringNotEquals passes a different value",
       allow(R"({"StringNotEquals":{"$ISS:sub":"system:serviceaccount:team-b:app"}})"), token(), A,
       "allowed"},
      {"StringNotEquals fails the listed value",
       allow(R"({"StringNotEquals":{"$ISS:sub":["x","system:serviceaccount:team-b:app"]}})"), token(kTeamB),
       D,
       "sub `system:serviceaccount:team-b:app` matches `system:serviceaccount:team-b:app` of "
       "StringNotEquals"},
      {"StringNotEquals on an absent key passes, with a warning",
       allow(R"({"StringNotEquals":{"$ISS:amr":"unauthenticated"}})"), token(), A,
       "statement 1: StringNotEquals `oidc.example.com/cluster:amr` passes because the key is absent"},
      {"StringEqualsIgnoreCase ignores case",
       allow(R"({"StringEqualsIgnoreCase":{"$ISS:sub":"SYSTEM:ServiceAccount:TEAM-A:APP"}})"), token(), A,
       "allowed"},
      {"StringNotEqualsIgnoreCase fails another case of the value",
       allow(R"({"StringNotEqualsIgnoreCase":{"$ISS:sub":"SYSTEM:SERVICEACCOUNT:TEAM-A:APP"}})"), token(), D,
       "matches `SYSTEM:SERVICEACCOUNT:TEAM-A:APP` of StringNotEqualsIgnoreCase"},
      {"StringLike * matches a run", allow(R"({"StringLike":{"$ISS:sub":"system:serviceaccount:team-*:*"}})"),
       token(), A, "allowed"},
      {"StringLike * matches nothing too",
       allow(R"({"StringLike":{"$ISS:sub":"system:serviceaccount:team-a:app*"}})"), token(), A, "allowed"},
      {"StringLike ? matches one character",
       allow(R"({"StringLike":{"$ISS:sub":"system:serviceaccount:team-?:app"}})"), token(), A, "allowed"},
      {"StringLike ? does not match zero characters",
       allow(R"({"StringLike":{"$ISS:sub":"system:serviceaccount:team-a?:app"}})"), token(), D,
       "matches no value of StringLike"},
      {"StringLike is case-sensitive",
       allow(R"({"StringLike":{"$ISS:sub":"system:serviceaccount:TEAM-*:*"}})"), token(), D,
       "sub `system:serviceaccount:team-a:app` matches no value of StringLike"},
      {"StringNotLike fails a match",
       allow(R"({"StringNotLike":{"$ISS:sub":"system:serviceaccount:team-*:*"}})"), token(), D,
       "matches `system:serviceaccount:team-*:*` of StringNotLike"},
      {"StringNotLike on an absent key passes", allow(R"({"StringNotLike":{"$ISS:amr":"*"}})"), token(), A,
       "StringNotLike `oidc.example.com/cluster:amr` passes because the key is absent"},
      {"StringEquals on an absent key fails", allow(kSubEq), RequestKeys{{"$ISS:aud", {"sts.amazonaws.com"}}},
       D, "StringEquals `oidc.example.com/cluster:sub` fails because the key is absent"},
      // IfExists.
      {"IfExists passes an absent key", allow(R"({"StringEqualsIfExists":{"$ISS:amr":"x"}})"), token(), A,
       "allowed"},
      {"IfExists still checks a present key", allow(R"({"StringEqualsIfExists":{"$ISS:sub":"x"}})"), token(),
       D, "matches no value of StringEqualsIfExists"},
      {"StringLikeIfExists matches a present key",
       allow(R"({"StringLikeIfExists":{"$ISS:sub":"*:team-a:*"}})"), token(), A, "allowed"},
      // Null.
      {"Null true passes an absent key", allow(R"({"Null":{"$ISS:amr":"true"}})"), token(), A, "allowed"},
      {"Null true fails a present key", allow(R"({"Null":{"$ISS:sub":"true"}})"), token(), D,
       "Null `oidc.example.com/cluster:sub` is true but the key is present"},
      {"Null false fails an absent key", allow(R"({"Null":{"$ISS:amr":"false"}})"), token(), D,
       "Null `oidc.example.com/cluster:amr` is false but the key is absent"},
      {"Null false passes a present key", allow(R"({"Null":{"$ISS:sub":"false"}})"), token(), A, "allowed"},
      {"Null takes a JSON boolean", allow(R"({"Null":{"$ISS:amr":true}})"), token(), A, "allowed"},
      {"Null refuses other values", allow(R"({"Null":{"$ISS:amr":"yes"}})"), token(), D,
       "Null `oidc.example.com/cluster:amr` takes true or false"},
      // Value types.
      {"a boolean value compares as its text", allow(R"({"StringEquals":{"$ISS:flag":true}})"),
       token(kTeamA, {{"$ISS:flag", {"true"}}}), A, "allowed"},
      {"a number value compares as its text", allow(R"({"StringEquals":{"$ISS:n":[42,7]}})"),
       token(kTeamA, {{"$ISS:n", {"7"}}}), A, "allowed"},
      {"an object value is refused", allow(R"({"StringEquals":{"$ISS:sub":{"a":1}}})"), token(), D,
       "the values of StringEquals `oidc.example.com/cluster:sub` must be strings, numbers or booleans"},
      // Multivalued keys and the set operators.
      {"ForAnyValue passes when one value matches",
       allow(R"({"ForAnyValue:StringEquals":{"$ISS:amr":["mfa","pwd"]}})"),
       token(kTeamA, {{"$ISS:amr", {"authenticated", "mfa"}}}), A, "allowed"},
      {"ForAnyValue fails when none matches", allow(R"({"ForAnyValue:StringEquals":{"$ISS:amr":"mfa"}})"),
       token(kTeamA, {{"$ISS:amr", {"a", "b"}}}), D,
       "amr `a`, `b` matches no value of ForAnyValue:StringEquals `oidc.example.com/cluster:amr`"},
      {"ForAnyValue fails an absent key", allow(R"({"ForAnyValue:StringEquals":{"$ISS:amr":"mfa"}})"),
       token(), D, "ForAnyValue:StringEquals `oidc.example.com/cluster:amr` fails because the key is absent"},
      {"ForAllValues passes when every value matches",
       allow(R"({"ForAllValues:StringLike":{"$ISS:amr":["auth*","mfa"]}})"),
       token(kTeamA, {{"$ISS:amr", {"authenticated", "mfa"}}}), A, "allowed"},
      {"ForAllValues fails when one value matches nothing",
       allow(R"({"ForAllValues:StringEquals":{"$ISS:amr":["mfa"]}})"),
       token(kTeamA, {{"$ISS:amr", {"mfa", "pwd"}}}), D,
       "amr `pwd` matches no value of ForAllValues:StringEquals"},
      {"ForAllValues passes an absent key, with a warning",
       allow(R"({"ForAllValues:StringLike":{"$ISS:amr":"mfa"}})"), token(), A,
       "statement 1: ForAllValues:StringLike `oidc.example.com/cluster:amr` passes because the key is "
       "absent"},
      {"ForAllValues passes an empty key, with a warning",
       allow(R"({"ForAllValues:StringLike":{"$ISS:amr":"mfa"}})"), token(kTeamA, {{"$ISS:amr", {}}}), A,
       "ForAllValues:StringLike `oidc.example.com/cluster:amr` passes because the key is absent"},
      {"without a set operator one value of a multivalued key is enough",
       allow(R"({"StringEquals":{"$ISS:amr":"mfa"}})"), token(kTeamA, {{"$ISS:amr", {"pwd", "mfa"}}}), A,
       "allowed"},
      {"ForAnyValue:StringNotEquals passes one value outside the list",
       allow(R"({"ForAnyValue:StringNotEquals":{"$ISS:amr":"pwd"}})"),
       token(kTeamA, {{"$ISS:amr", {"pwd", "mfa"}}}), A, "allowed"},
      {"ForAllValues:StringNotLike fails a value that matches",
       allow(R"({"ForAllValues:StringNotLike":{"$ISS:amr":"p*"}})"),
       token(kTeamA, {{"$ISS:amr", {"mfa", "pwd"}}}), D,
       "amr `pwd` matches a value of ForAllValues:StringNotLike"},
      {"IfExists with a set operator passes an absent key",
       allow(R"({"ForAnyValue:StringEqualsIfExists":{"$ISS:amr":"mfa"}})"), token(), A, "allowed"},
      // Unsupported operators.
      {"an unknown operator fails its condition",
       allow(R"({"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}})"), token(), D,
       "statement 1: unsupported condition operator DateGreaterThan"},
      {"Null has no IfExists", allow(R"({"NullIfExists":{"$ISS:amr":"true"}})"), token(), D,
       "unsupported condition operator NullIfExists"},
      // Principal.
      {"another provider's statement does not apply", allow(kSubEq), token(), D,
       "statement 1: Principal.Federated is " + std::string(kArn) + " not " + std::string(kOtherArn),
       std::string(kOtherArn)},
      {"a Federated list naming the provider applies",
       allowWith(R"("Principal":{"Federated":["$ARN","arn:aws:iam::111122223333:oidc-provider/x"]},)"
                 R"("Action":"sts:AssumeRoleWithWebIdentity")"),
       token(), A, "allowed"},
      {"Principal * matches anyone", allowWith(R"("Principal":"*","Action":"sts:AssumeRoleWithWebIdentity")"),
       token(), A, "allowed"},
      {"Principal AWS * matches anyone",
       allowWith(R"("Principal":{"AWS":"*"},"Action":"sts:AssumeRoleWithWebIdentity")"), token(), A,
       "allowed"},
      {"a Service principal is not the web identity",
       allowWith(R"("Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity")"),
       token(), D, "statement 1: Principal has no Federated entry"},
      {"no Principal", allowWith(R"("Action":"sts:AssumeRoleWithWebIdentity")"), token(), D,
       "statement has no Principal"},
      // Action.
      {"Action sts:* covers it", allowWith(R"("Principal":{"Federated":"$ARN"},"Action":"sts:*")"), token(),
       A, "allowed"},
      {"Action * covers it", allowWith(R"("Principal":{"Federated":"$ARN"},"Action":["s3:GetObject","*"])"),
       token(), A, "allowed"},
      {"Action sts:AssumeRole* covers it",
       allowWith(R"("Principal":{"Federated":"$ARN"},"Action":"sts:AssumeRole*")"), token(), A, "allowed"},
      {"actions match ignoring case",
       allowWith(R"("Principal":{"Federated":"$ARN"},"Action":"STS:assumerolewithwebidentity")"), token(), A,
       "allowed"},
      {"sts:AssumeRole is another action",
       allowWith(R"("Principal":{"Federated":"$ARN"},"Action":["sts:AssumeRole","sts:TagSession"])"), token(),
       D, "statement 1: Action does not include sts:AssumeRoleWithWebIdentity"},
      {"NotAction not naming it covers it",
       allowWith(R"("Principal":{"Federated":"$ARN"},"NotAction":"sts:AssumeRole")"), token(), A, "allowed"},
      {"NotAction matching it excludes it",
       allowWith(R"("Principal":{"Federated":"$ARN"},"NotAction":["sts:AssumeRoleWith*"])"), token(), D,
       "NotAction excludes sts:AssumeRoleWithWebIdentity"},
      {"NotPrincipal is refused",
       R"({"Statement":[{"Sid":"N","Effect":"Deny","NotPrincipal":{"Federated":"$ARN"},"Action":"*"},)"
       R"({"Effect":"Allow","Principal":"*","Action":"*"}]})",
       token(), D, "statement 1 (N) uses NotPrincipal, which IAM does not accept in a role trust policy"},
      // Statements.
      {"Statement may be one object",
       R"({"Statement":{"Effect":"Allow","Principal":{"Federated":"$ARN"},"Action":"sts:AssumeRoleWithWebIdentity"}})",
       token(), A, "allowed by statement 1"},
      {"a matching Deny wins over an Allow",
       R"({"Statement":[{"Effect":"Allow","Principal":{"Federated":"$ARN"},"Action":"sts:AssumeRoleWithWebIdentity"},)"
       R"({"Sid":"NoTeamA","Effect":"Deny","Principal":"*","Action":"sts:*",)"
       R"("Condition":{"StringLike":{"$ISS:sub":"*:team-a:*"}}}]})",
       token(), X, "denied by statement 2 (NoTeamA)"},
      {"a Deny that does not match leaves the Allow",
       R"({"Statement":[{"Effect":"Allow","Principal":{"Federated":"$ARN"},"Action":"sts:AssumeRoleWithWebIdentity"},)"
       R"({"Effect":"Deny","Principal":"*","Action":"sts:*","Condition":{"StringLike":{"$ISS:sub":"*:team-b:*"}}}]})",
       token(), A, "allowed by statement 1"},
      {"no Allow is an implicit deny",
       R"({"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Condition":{"StringEquals":{"$ISS:sub":"x"}}}]})",
       token(), D, "no statement has Effect Allow"},
      {"an Effect IAM does not know is skipped",
       R"({"Statement":[{"Effect":"allow","Principal":"*","Action":"*"}]})", token(), D,
       "statement 1 is skipped: Effect must be Allow or Deny"},
      {"only the closest Allow statements are explained",
       R"({"Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"Federated":")" +
           std::string(kOtherArn) +
           R"("},"Action":"sts:AssumeRoleWithWebIdentity"},)"
           R"({"Sid":"Ours","Effect":"Allow","Principal":{"Federated":"$ARN"},"Action":"sts:AssumeRoleWithWebIdentity",)"
           R"("Condition":{"StringEquals":{"$ISS:sub":"system:serviceaccount:team-a:app"}}}]})",
       token(kTeamB), D, "statement 2 (Ours): sub `system:serviceaccount:team-b:app` matches no value",
       std::string(kArn), "statement 1"},
      {"every failure of the closest statement is named",
       allow(
           R"({"StringEquals":{"$ISS:aud":"sts.amazonaws.com","$ISS:sub":"system:serviceaccount:team-a:app"}})"),
       token(kTeamB, {{"$ISS:aud", {"x"}}}), D,
       "statement 1: aud `x` matches no value of StringEquals `oidc.example.com/cluster:aud`\n"
       "statement 1: sub `system:serviceaccount:team-b:app` matches no value"},
      {"a statement without Condition allows every service account",
       allowWith(R"("Principal":{"Federated":"$ARN"},"Action":"sts:AssumeRoleWithWebIdentity")"),
       token("system:serviceaccount:any:one"), A, "allowed by statement 1"},
  };
}

std::string joined(const Evaluation& e) {
  std::string out;
  for (const auto& r : e.reasons)
    out += r + "\n";
  for (const auto& w : e.warnings)
    out += w + "\n";
  return out;
}

TEST(OidcPolicyEvaluatorTest, EachRuleDecidesAndExplainsAsIamDoes) {
  const auto all = cases();
  ASSERT_GE(all.size(), 40u);
  for (const auto& c : all) {
    SCOPED_TRACE(c.name);
    WebIdentityRequest request;
    request.providerArn = c.provider;
    for (const auto& [key, values] : c.keys)
      request.keys[expand(key)] = values;
    auto evaluation = evaluateTrustPolicy(expand(c.policy), request);
    ASSERT_TRUE(evaluation.ok()) << evaluation.error();
    const std::string text = joined(*evaluation);
    EXPECT_EQ(decisionName(evaluation->decision), decisionName(c.expected)) << text;
    EXPECT_NE(text.find(c.reason), std::string::npos) << text;
    if (!c.notInReasons.empty()) {
      EXPECT_EQ(text.find(c.notInReasons), std::string::npos) << text;
    }
  }
}

TEST(OidcPolicyEvaluatorTest, AnAllowWithoutSurprisesHasNoWarnings) {
  auto provider = parseProviderArn(std::string(kArn));
  ASSERT_TRUE(provider.ok());
  auto evaluation =
      evaluateTrustPolicy(expand(allow(kSubEq)), webIdentityRequest(*provider, kTeamA, {"sts"}));
  ASSERT_TRUE(evaluation.ok());
  EXPECT_EQ(evaluation->decision, Decision::kAllow);
  EXPECT_EQ(evaluation->reasons, std::vector<std::string>{"allowed by statement 1"});
  EXPECT_TRUE(evaluation->warnings.empty());
}

TEST(OidcPolicyEvaluatorTest, WebIdentityRequestKeysAreTheIssuersClaims) {
  auto provider = parseProviderArn(std::string(kArn));
  ASSERT_TRUE(provider.ok());
  const auto request = webIdentityRequest(*provider, kTeamA, {"sts.amazonaws.com"}, {"a", "b"});
  EXPECT_EQ(request.providerArn, kArn);
  const RequestKeys expected{{"oidc.example.com/cluster:amr", {"a", "b"}},
                             {"oidc.example.com/cluster:aud", {"sts.amazonaws.com"}},
                             {"oidc.example.com/cluster:sub", {kTeamA}}};
  EXPECT_EQ(request.keys, expected);
}

TEST(OidcPolicyEvaluatorTest, TextThatIsNoPolicyIsAnError) {
  auto notJson = evaluateTrustPolicy("{", {});
  ASSERT_FALSE(notJson.ok());
  EXPECT_EQ(notJson.error().rfind("trust policy: invalid JSON at offset 1", 0), 0u) << notJson.error();
  auto noStatement = evaluateTrustPolicy("{}", {});
  ASSERT_FALSE(noStatement.ok());
  EXPECT_EQ(noStatement.error(), "the trust policy has no Statement");
}

TEST(OidcPolicyEvaluatorTest, WildcardMatchBacktracksAndHonoursCase) {
  EXPECT_TRUE(wildcardMatch("a*b*c", "axxbyybzc", false));
  EXPECT_FALSE(wildcardMatch("a*b*c", "axxbyybz", false));
  EXPECT_TRUE(wildcardMatch("*", "", false));
  EXPECT_FALSE(wildcardMatch("?", "", false));
  EXPECT_TRUE(wildcardMatch("A?C", "abc", true));
  EXPECT_FALSE(wildcardMatch("A?C", "abc", false));
}

}  // namespace
}  // namespace irsa::oidc
