// webhook::ServiceAccount keeps its key and annotations in one string; these
// check that what goes in comes back out, whatever the text holds.
#include <gtest/gtest.h>

#include <string>

#include "webhook/ServiceAccount.hpp"

namespace irsa::webhook {
namespace {

using Annotations = std::vector<ServiceAccount::Annotation>;

TEST(WebhookServiceAccountTest, KeepsNamespaceNameAndKey) {
  const ServiceAccount sa("team-a", "s3-reader");
  EXPECT_EQ(sa.ns(), "team-a");
  EXPECT_EQ(sa.name(), "s3-reader");
  EXPECT_EQ(sa.key(), "team-a/s3-reader");
  EXPECT_FALSE(sa.hasAnnotations());
  EXPECT_TRUE(sa.annotations().empty());
  EXPECT_FALSE(sa.annotation("eks.amazonaws.com/role-arn").has_value());
}

TEST(WebhookServiceAccountTest, FindsEachAnnotationAndKeepsTheirOrder) {
  const ServiceAccount sa("ns", "app",
                          {{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/app"},
                           {"eks.amazonaws.com/audience", ""},
                           {"eks.amazonaws.com/token-expiration", "3600"}});
  EXPECT_TRUE(sa.hasAnnotations());
  EXPECT_EQ(sa.annotation("eks.amazonaws.com/role-arn"), "arn:aws:iam::1:role/app");
  ASSERT_TRUE(sa.annotation("eks.amazonaws.com/audience").has_value());  // present but empty
  EXPECT_EQ(*sa.annotation("eks.amazonaws.com/audience"), "");
  EXPECT_EQ(sa.annotation("eks.amazonaws.com/token-expiration"), "3600");
  EXPECT_FALSE(sa.annotation("eks.amazonaws.com/role").has_value());  // a prefix of a key is not the key
  EXPECT_EQ(sa.annotations(), (Annotations{{"eks.amazonaws.com/role-arn", "arn:aws:iam::1:role/app"},
                                           {"eks.amazonaws.com/audience", ""},
                                           {"eks.amazonaws.com/token-expiration", "3600"}}));
}

TEST(WebhookServiceAccountTest, ValuesWithNulBytesAndLongTextRoundTrip) {
  const std::string withNul("a\0b", 3);
  const std::string longValue(70000, 'x');  // past any 16-bit length
  const ServiceAccount sa("n", "s", {{"k/one", withNul}, {"k/two", longValue}});
  EXPECT_EQ(sa.annotation("k/one"), withNul);
  EXPECT_EQ(sa.annotation("k/two"), longValue);
  EXPECT_EQ(sa.key(), "n/s");
}

TEST(WebhookServiceAccountTest, CopiesOwnTheirTextAndCompareByContent) {
  std::string role = "arn:aws:iam::1:role/original";
  ServiceAccount original("ns", "app", {{"eks.amazonaws.com/role-arn", role}});
  role.assign("changed after construction");  // the object copied the text
  const ServiceAccount copy = original;
  EXPECT_EQ(copy, original);
  original = ServiceAccount("ns", "other");
  EXPECT_EQ(copy.annotation("eks.amazonaws.com/role-arn"), "arn:aws:iam::1:role/original");
  EXPECT_FALSE(copy == original);
}

}  // namespace
}  // namespace irsa::webhook
