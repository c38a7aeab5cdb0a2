// webhook/Annotations: the one list of annotation names, spelled out for a
// prefix. The literal keys are the wire format users write on their objects.
#include <gtest/gtest.h>

#include "webhook/Annotations.hpp"

using irsa::webhook::AnnotationKeys;
using irsa::webhook::isUnderAnnotationPrefix;

namespace {

TEST(WebhookAnnotations, DefaultPrefixGivesTheReferenceKeys) {
  const AnnotationKeys keys(irsa::webhook::kDefaultAnnotationPrefix);
  EXPECT_EQ(keys.prefix(), "eks.amazonaws.com");
  EXPECT_EQ(keys.roleArn(), "eks.amazonaws.com/role-arn");
  EXPECT_EQ(keys.audience(), "eks.amazonaws.com/audience");
  EXPECT_EQ(keys.stsRegionalEndpoints(), "eks.amazonaws.com/sts-regional-endpoints");
  EXPECT_EQ(keys.tokenExpiration(), "eks.amazonaws.com/token-expiration");
  EXPECT_EQ(keys.skipContainers(), "eks.amazonaws.com/skip-containers");
  EXPECT_EQ(irsa::webhook::kPodIdentityLabel, "eks.amazonaws.com/pod-identity");
}

TEST(WebhookAnnotations, KeysFollowTheConfiguredPrefix) {
  const AnnotationKeys keys("example.com");
  EXPECT_EQ(keys.roleArn(), "example.com/role-arn");
  EXPECT_EQ(keys.skipContainers(), "example.com/skip-containers");
  // The label does not move with the prefix, as in the reference.
  EXPECT_EQ(irsa::webhook::kPodIdentityLabel, "eks.amazonaws.com/pod-identity");
}

TEST(WebhookAnnotations, OnlyKeysBelowThePrefixAreUnderIt) {
  const AnnotationKeys keys("eks.amazonaws.com");
  EXPECT_TRUE(keys.isUnderPrefix("eks.amazonaws.com/role-arn"));
  EXPECT_TRUE(keys.isUnderPrefix("eks.amazonaws.com/anything"));
  EXPECT_FALSE(keys.isUnderPrefix("eks.amazonaws.com"));
  EXPECT_FALSE(keys.isUnderPrefix("eks.amazonaws.comx/role-arn"));
  EXPECT_FALSE(keys.isUnderPrefix("pods.eks.amazonaws.com/role-arn"));
  EXPECT_FALSE(isUnderAnnotationPrefix("other.io/role-arn", "eks.amazonaws.com"));
}

}  // namespace
