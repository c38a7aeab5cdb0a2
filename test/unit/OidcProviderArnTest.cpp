// oidc/ProviderArn and oidc/Subject: what a trust policy's principal and
// subjects are parsed from, and the one-line reasons for what is refused.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "oidc/ProviderArn.hpp"
#include "oidc/Subject.hpp"

namespace irsa::oidc {
namespace {

TEST(OidcProviderArnTest, AnEksProviderArnSplitsIntoPartitionAccountAndIssuer) {
  const std::string text =
      "arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC123";
  auto arn = parseProviderArn(text);
  ASSERT_TRUE(arn.ok()) << arn.error();
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->account, "111122223333");
  EXPECT_EQ(arn->issuerHostPath, "oidc.eks.us-west-2.amazonaws.com/id/ABC123");
  EXPECT_EQ(arn->text, text);
  EXPECT_EQ(conditionKey(*arn, "sub"), "oidc.eks.us-west-2.amazonaws.com/id/ABC123:sub");
}

TEST(OidcProviderArnTest, ChinaAndGovCloudPartitionsAndABareHostAreAccepted) {
  auto cn = parseProviderArn("arn:aws-cn:iam::111122223333:oidc-provider/issuer.example.cn");
  ASSERT_TRUE(cn.ok()) << cn.error();
  EXPECT_EQ(cn->partition, "aws-cn");
  EXPECT_EQ(cn->issuerHostPath, "issuer.example.cn");
  auto gov =
      parseProviderArn("arn:aws-us-gov:iam::111122223333:oidc-provider/s3.amazonaws.com/bucket/cluster");
  ASSERT_TRUE(gov.ok()) << gov.error();
  EXPECT_EQ(gov->partition, "aws-us-gov");
  EXPECT_EQ(gov->issuerHostPath, "s3.amazonaws.com/bucket/cluster");
}

struct Refused {
  std::string_view text;
  std::string_view reason;  // a substring of the error
};

constexpr Refused kRefusedArns[] = {
    {"", "it is empty"},
    {"aws:iam::111122223333:oidc-provider/x.example.com", "does not start with \"arn:\""},
    {"arn:aws-mars:iam::111122223333:oidc-provider/x.example.com", "unknown partition \"aws-mars\""},
    {"arn:aws:sts::111122223333:oidc-provider/x.example.com", "the service must be iam"},
    {"arn:aws:iam:us-east-1:111122223333:oidc-provider/x.example.com", "the service must be iam"},
    {"arn:aws:iam::11112222333:oidc-provider/x.example.com", "the account must be 12 digits"},
    {"arn:aws:iam::1111222233334:oidc-provider/x.example.com", "the account must be 12 digits"},
    {"arn:aws:iam::11112222333a:oidc-provider/x.example.com", "the account must be 12 digits"},
    {"arn:aws:iam::111122223333:role/x.example.com", "the resource must be oidc-provider/<issuer>"},
    {"arn:aws:iam::111122223333", "the resource must be oidc-provider/<issuer>"},
    {"arn:aws:iam::111122223333:oidc-provider/", "the issuer is empty"},
    {"arn:aws:iam::111122223333:oidc-provider/https://x.example.com", "must not have a scheme"},
    {"arn:aws:iam::111122223333:oidc-provider/x.example.com/", "ends with '/'"},
    {"arn:aws:iam::111122223333:oidc-provider//path", "the issuer has no host"},
    {"arn:aws:iam::111122223333:oidc-provider/x.example.com ", "whitespace"},
    {" arn:aws:iam::111122223333:oidc-provider/x.example.com", "whitespace"},
    {"arn:aws:iam::111122223333:oidc-provider/x.example.com\n", "whitespace"},
};

TEST(OidcProviderArnTest, EachMalformedArnIsRefusedWithWhatIsWrongAndWhatIsExpected) {
  for (const auto& c : kRefusedArns) {
    SCOPED_TRACE(std::string(c.text));
    auto arn = parseProviderArn(c.text);
    ASSERT_FALSE(arn.ok());
    EXPECT_NE(arn.error().find(c.reason), std::string::npos) << arn.error();
    EXPECT_NE(arn.error().find("expected arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer "
                               "host[/path]>"),
              std::string::npos)
        << arn.error();
    EXPECT_EQ(arn.error().find('\n'), std::string::npos) << arn.error();
  }
}

TEST(OidcProviderArnTest, TheErrorQuotesTheArnAsGoWould) {
  auto arn = parseProviderArn("arn:aws:iam::1:oidc-provider/x");
  ASSERT_FALSE(arn.ok());
  EXPECT_EQ(arn.error(),
            "invalid OIDC provider ARN \"arn:aws:iam::1:oidc-provider/x\": the account must be 12 digits; "
            "expected arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host[/path]>");
}

TEST(OidcSubjectTest, NamespaceAndNameBecomeTheServiceAccountSubject) {
  auto subject = parseSubject("team-a:app.reader");
  ASSERT_TRUE(subject.ok()) << subject.error();
  EXPECT_EQ(subject->namespaceName, "team-a");
  EXPECT_EQ(subject->serviceAccount, "app.reader");
  EXPECT_EQ(subject->text, "system:serviceaccount:team-a:app.reader");
  EXPECT_FALSE(subject->isPattern());
}

TEST(OidcSubjectTest, AFullSubjectIsAcceptedAsIs) {
  auto subject = parseSubject("system:serviceaccount:kube-system:aws-node");
  ASSERT_TRUE(subject.ok()) << subject.error();
  EXPECT_EQ(subject->namespaceName, "kube-system");
  EXPECT_EQ(subject->serviceAccount, "aws-node");
  EXPECT_EQ(subject->text, "system:serviceaccount:kube-system:aws-node");
}

TEST(OidcSubjectTest, WildcardsMakeAPattern) {
  for (std::string_view text :
       {"team-*:*", "ns:*", "ns:app-?", "*:default", "system:serviceaccount:*-prod:*"}) {
    SCOPED_TRACE(std::string(text));
    auto subject = parseSubject(text);
    ASSERT_TRUE(subject.ok()) << subject.error();
    EXPECT_TRUE(subject->isPattern());
  }
  EXPECT_EQ(parseSubject("team-*:*")->text, "system:serviceaccount:team-*:*");
}

TEST(OidcSubjectTest, NamesAtTheirLengthLimitsAreAcceptedAndOneLongerRefused) {
  const std::string label(63, 'a');
  const std::string subdomain = std::string(63, 'b') + "." + std::string(63, 'c') + "." +
                                std::string(63, 'd') + "." + std::string(61, 'e');  // 253
  EXPECT_TRUE(parseSubject(label + ":" + subdomain).ok());
  EXPECT_FALSE(parseSubject(label + "a:sa").ok());
  EXPECT_FALSE(parseSubject("ns:" + subdomain + "e").ok());
}

constexpr Refused kRefusedSubjects[] = {
    {"", "expected <namespace>:<service account>"},
    {"just-a-name", "expected <namespace>:<service account>"},
    {"a:b:c", "expected <namespace>:<service account>"},
    {"system:serviceaccount:ns", "expected <namespace>:<service account>"},
    {":sa", "the namespace must be a DNS-1123 label"},
    {"Team:sa", "the namespace must be a DNS-1123 label"},
    {"-ns:sa", "the namespace must be a DNS-1123 label"},
    {"my.ns:sa", "the namespace must be a DNS-1123 label"},
    {"n s:sa", "the namespace must be a DNS-1123 label"},
    {"ns:", "the service account must be a DNS-1123 subdomain"},
    {"ns:App", "the service account must be a DNS-1123 subdomain"},
    {"ns:a..b", "the service account must be a DNS-1123 subdomain"},
    {"ns:sa-", "the service account must be a DNS-1123 subdomain"},
    {"ns:sa_1", "the service account must be a DNS-1123 subdomain"},
    {"ns:A*", "the service account must be a DNS-1123 subdomain"},
    {"ns:sa\n", "the service account must be a DNS-1123 subdomain"},
};

TEST(OidcSubjectTest, EachMalformedSubjectIsRefusedOnOneLine) {
  for (const auto& c : kRefusedSubjects) {
    SCOPED_TRACE(std::string(c.text));
    auto subject = parseSubject(c.text);
    ASSERT_FALSE(subject.ok());
    EXPECT_NE(subject.error().find(c.reason), std::string::npos) << subject.error();
    EXPECT_EQ(subject.error().find('\n'), std::string::npos) << subject.error();
  }
}

}  // namespace
}  // namespace irsa::oidc
