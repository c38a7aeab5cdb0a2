#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "kube/ServiceAccountObject.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {
namespace {

using Annotations = std::vector<std::pair<std::string_view, std::string_view>>;
constexpr const char* kPrefix = "eks.amazonaws.com";

util::Result<webhook::ServiceAccount> fromJson(const char* json, const char* prefix = kPrefix) {
  rapidjson::Document doc;
  auto parsed = webhook::parseJson(doc, json, webhook::kDefaultMaxJsonDepth);
  EXPECT_TRUE(parsed.ok()) << parsed.error() << ": " << json;
  return serviceAccountFromObject(doc, prefix);
}

TEST(KubeServiceAccountObjectTest, KeepsNamespaceNameAndPrefixedAnnotations) {
  auto sa =
      fromJson(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"app","namespace":"prod",
      "annotations":{"eks.amazonaws.com/role-arn":"arn:aws:iam::1:role/app","eks.amazonaws.com/audience":"sts"}},
      "secrets":[{"name":"x"}]})");
  ASSERT_TRUE(sa.ok()) << sa.error();
  EXPECT_EQ(sa->ns(), "prod");
  EXPECT_EQ(sa->name(), "app");
  EXPECT_EQ(sa->key(), "prod/app");
  EXPECT_EQ(sa->annotations(), (Annotations{{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/app"},
                                            {"eks.amazonaws.com/audience", "sts"}}));
}

TEST(KubeServiceAccountObjectTest, NamespaceDefaultsToDefault) {
  auto sa = fromJson(R"({"metadata":{"name":"app"}})");
  ASSERT_TRUE(sa.ok()) << sa.error();
  EXPECT_EQ(sa->ns(), "default");
  EXPECT_EQ(sa->key(), "default/app");
  EXPECT_TRUE(sa->annotations().empty());
}

TEST(KubeServiceAccountObjectTest, OnlyKeysUnderPrefixSlashAreKept) {
  auto sa = fromJson(R"({"metadata":{"name":"app","namespace":"ns","annotations":{
      "eks.amazonaws.com.evil/role-arn":"arn:evil",
      "eks.amazonaws.comx/role-arn":"arn:evil2",
      "xeks.amazonaws.com/role-arn":"arn:evil3",
      "eks.amazonaws.com":"bare",
      "EKS.AMAZONAWS.COM/role-arn":"arn:upper",
      "kubectl.kubernetes.io/last-applied-configuration":"{}",
      "eks.amazonaws.com/role-arn":"arn:good"}}})");
  ASSERT_TRUE(sa.ok()) << sa.error();
  EXPECT_EQ(sa->annotations(), (Annotations{{"eks.amazonaws.com/role-arn", "arn:good"}}));
}

TEST(KubeServiceAccountObjectTest, PrefixIsConfigurable) {
  auto sa = fromJson(R"({"metadata":{"name":"app","annotations":{
      "eks.amazonaws.com/role-arn":"arn:eks","example.com/role-arn":"arn:mine"}}})",
                     "example.com");
  ASSERT_TRUE(sa.ok()) << sa.error();
  EXPECT_EQ(sa->annotations(), (Annotations{{"example.com/role-arn", "arn:mine"}}));
}

TEST(KubeServiceAccountObjectTest, NullAnnotationsMeanNone) {
  auto sa = fromJson(R"({"metadata":{"name":"app","annotations":null}})");
  ASSERT_TRUE(sa.ok()) << sa.error();
  EXPECT_TRUE(sa->annotations().empty());
}

TEST(KubeServiceAccountObjectTest, NonStringPrefixedAnnotationIsAnError) {
  auto sa = fromJson(
      R"({"metadata":{"name":"app","namespace":"ns","annotations":{"eks.amazonaws.com/role-arn":42}}})");
  ASSERT_FALSE(sa.ok());
  EXPECT_NE(sa.error().find("ns/app"), std::string::npos) << sa.error();
  EXPECT_NE(sa.error().find("eks.amazonaws.com/role-arn"), std::string::npos) << sa.error();
}

TEST(KubeServiceAccountObjectTest, AnnotationsThatAreNotAMapAreAnError) {
  EXPECT_FALSE(fromJson(R"({"metadata":{"name":"app","annotations":["eks.amazonaws.com/role-arn"]}})").ok());
}

TEST(KubeServiceAccountObjectTest, MissingNameOrMetadataIsAnError) {
  auto noName = fromJson(R"({"metadata":{"namespace":"ns"}})");
  ASSERT_FALSE(noName.ok());
  EXPECT_NE(noName.error().find("metadata.name"), std::string::npos) << noName.error();
  EXPECT_FALSE(fromJson(R"({"metadata":{"name":"","namespace":"ns"}})").ok());
  EXPECT_FALSE(fromJson(R"({"metadata":{"name":7}})").ok());
  EXPECT_FALSE(fromJson(R"({"kind":"ServiceAccount"})").ok());
  EXPECT_FALSE(fromJson(R"({"metadata":"app"})").ok());
}

struct NameCase {
  std::string name;
  bool valid;
};
void PrintTo(const NameCase& c, std::ostream* os) {
  *os << '"' << c.name << "\" valid=" << c.valid;
}

class KubeIsValidObjectNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(KubeIsValidObjectNameTest, MatchesDns1123Subdomain) {
  EXPECT_EQ(isValidObjectName(GetParam().name), GetParam().valid) << '"' << GetParam().name << '"';
}

INSTANTIATE_TEST_SUITE_P(
    KubeNames, KubeIsValidObjectNameTest,
    ::testing::Values(NameCase{"default", true}, NameCase{"a", true}, NameCase{"0", true},
                      NameCase{"my-app", true}, NameCase{"app.v2", true}, NameCase{"kube-system", true},
                      NameCase{std::string(253, 'a'), true}, NameCase{std::string(254, 'a'), false},
                      NameCase{"", false}, NameCase{"A", false}, NameCase{"myApp", false},
                      NameCase{"-app", false}, NameCase{"app-", false}, NameCase{".app", false},
                      NameCase{"app.", false}, NameCase{"..", false}, NameCase{".", false},
                      NameCase{"a/b", false}, NameCase{"A/B?x", false}, NameCase{"a?b", false},
                      NameCase{"a%2Fb", false}, NameCase{"a b", false}, NameCase{"a_b", false},
                      NameCase{"a#b", false}, NameCase{std::string("a\0b", 3), false}, NameCase{"é", false},
                      // Every dot-separated label must itself start and end alphanumeric.
                      NameCase{"a..b", false}, NameCase{"a.-b", false}, NameCase{"a-.b", false}));

}  // namespace
}  // namespace irsa::kube
