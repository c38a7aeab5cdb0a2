// webhook/IdentityResolver: mode selection (container credentials > role-arn
// annotation > ConfigMap) and the ServiceAccount/ConfigMap-level parameters.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "webhook/IdentityResolver.hpp"

using namespace irsa::webhook;

namespace {

ServiceAccount sa(std::vector<ServiceAccount::Annotation> annotations) {
  return ServiceAccount("ns", "sa", annotations);  // copies the viewed text
}

const char* kRole = "arn:aws:iam::111122223333:role/from-sa";
const char* kRoleKey = "eks.amazonaws.com/role-arn";

ConfigMapEntry cmEntry(std::string role = "arn:aws:iam::111122223333:role/from-cm") {
  ConfigMapEntry e;
  e.roleArn = std::move(role);
  return e;
}

class WebhookIdentityResolver : public ::testing::Test {
 protected:
  MutationSettings settings;  // outlives every resolver built from it
};

TEST_F(WebhookIdentityResolver, NothingFoundResolvesToNoIdentity) {
  IdentityResolver r(settings);
  EXPECT_FALSE(r.resolve({}).has_value());
  ServiceAccount plain = sa({{"eks.amazonaws.com/audience", "x"}});
  EXPECT_FALSE(r.resolve({&plain, nullptr, false}).has_value());
}

TEST_F(WebhookIdentityResolver, ContainerCredentialsWinOverTheRoleArnAnnotation) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, kRole}, {"eks.amazonaws.com/audience", "sa-aud"}});
  ConfigMapEntry entry = cmEntry();
  auto id = r.resolve({&account, &entry, true});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->mode, IdentityMode::kContainerCredentials);
  EXPECT_EQ(id->source, ResolvedIdentity::Source::kContainerCredentials);
  // The audience is always the container-credentials flag's.
  EXPECT_EQ(id->audience, settings.containerCredentials.audience);
  EXPECT_STREQ(modeName(id->mode), "container_credentials");
}

TEST_F(WebhookIdentityResolver, ContainerCredentialsWithoutAnyServiceAccount) {
  IdentityResolver r(settings);
  auto id = r.resolve({nullptr, nullptr, true});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->mode, IdentityMode::kContainerCredentials);
  EXPECT_EQ(id->tokenExpiration, settings.tokenExpiration);
  EXPECT_FALSE(id->regionalSts);
}

TEST_F(WebhookIdentityResolver, ContainerCredentialsTakeParametersFromTheServiceAccount) {
  IdentityResolver r(settings);
  ServiceAccount account = sa(
      {{"eks.amazonaws.com/sts-regional-endpoints", "true"}, {"eks.amazonaws.com/token-expiration", "3600"}});
  auto id = r.resolve({&account, nullptr, true});
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->regionalSts);
  EXPECT_EQ(id->tokenExpiration, 3600);
}

TEST_F(WebhookIdentityResolver, ContainerCredentialsTakeParametersFromTheConfigMapWhenTheSaHasNoRole) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({});
  ConfigMapEntry entry = cmEntry();
  entry.useRegionalSts = true;
  entry.tokenExpiration = 7200;
  entry.audience = "cm-aud";
  auto id = r.resolve({&account, &entry, true});
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->regionalSts);
  EXPECT_EQ(id->tokenExpiration, 7200);
  EXPECT_EQ(id->audience, settings.containerCredentials.audience);
}

TEST_F(WebhookIdentityResolver, RoleArnAnnotationWinsOverTheConfigMap) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, kRole}});
  ConfigMapEntry entry = cmEntry();
  entry.audience = "cm-aud";
  entry.useRegionalSts = true;
  auto id = r.resolve({&account, &entry, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->mode, IdentityMode::kWebIdentity);
  EXPECT_EQ(id->source, ResolvedIdentity::Source::kServiceAccount);
  EXPECT_EQ(id->roleArn, kRole);
  EXPECT_EQ(id->audience, "sts.amazonaws.com");
  EXPECT_FALSE(id->regionalSts);
  EXPECT_STREQ(modeName(id->mode), "web_identity");
}

TEST_F(WebhookIdentityResolver, ConfigMapIsUsedWhenTheSaHasNoRole) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({});
  ConfigMapEntry entry = cmEntry();
  for (const ServiceAccount* s :
       {static_cast<const ServiceAccount*>(nullptr), static_cast<const ServiceAccount*>(&account)}) {
    auto id = r.resolve({s, &entry, false});
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->source, ResolvedIdentity::Source::kConfigMap);
    EXPECT_EQ(id->roleArn, "arn:aws:iam::111122223333:role/from-cm");
  }
}

TEST_F(WebhookIdentityResolver, EmptyRoleArnAnnotationCountsAsNone) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, ""}});
  EXPECT_FALSE(r.roleArnOf(account).has_value());
  EXPECT_FALSE(r.resolve({&account, nullptr, false}).has_value());
  ConfigMapEntry entry = cmEntry();
  auto id = r.resolve({&account, &entry, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->source, ResolvedIdentity::Source::kConfigMap);
}

TEST_F(WebhookIdentityResolver, AnnotationsUseTheConfiguredPrefix) {
  settings.annotationPrefix = "example.com";
  IdentityResolver r(settings);
  ServiceAccount eksOnly = sa({{kRoleKey, kRole}});
  EXPECT_FALSE(r.resolve({&eksOnly, nullptr, false}).has_value());
  ServiceAccount custom = sa({{"example.com/role-arn", kRole}, {"example.com/audience", "aud"}});
  auto id = r.resolve({&custom, nullptr, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->audience, "aud");
}

TEST_F(WebhookIdentityResolver, ServiceAccountParametersOverrideFlags) {
  settings.tokenAudience = "flag-aud";
  settings.tokenExpiration = 5000;
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, kRole},
                               {"eks.amazonaws.com/audience", "sa-aud"},
                               {"eks.amazonaws.com/sts-regional-endpoints", "T"},
                               {"eks.amazonaws.com/token-expiration", "100"}});
  auto id = r.resolve({&account, nullptr, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->audience, "sa-aud");
  EXPECT_TRUE(id->regionalSts);
  EXPECT_EQ(id->tokenExpiration, kMinTokenExpiration);  // 100 clamped
}

TEST_F(WebhookIdentityResolver, InvalidServiceAccountParametersKeepTheFlags) {
  settings.stsRegionalEndpoint = true;
  settings.tokenExpiration = 5000;
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, kRole},
                               {"eks.amazonaws.com/sts-regional-endpoints", "yes"},
                               {"eks.amazonaws.com/token-expiration", "1h"}});
  auto id = r.resolve({&account, nullptr, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(id->regionalSts);
  EXPECT_EQ(id->tokenExpiration, 5000);
}

// --- annotation values against their rules (webhook/AnnotationValues) -------

TEST_F(WebhookIdentityResolver, ValidValuesReportNoIssue) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, kRole},
                               {"eks.amazonaws.com/audience", "sa-aud"},
                               {"eks.amazonaws.com/sts-regional-endpoints", "true"},
                               {"eks.amazonaws.com/token-expiration", "100"}});
  AnnotationIssues issues;
  ASSERT_TRUE(r.resolve({&account, nullptr, false}, &issues).has_value());
  EXPECT_TRUE(issues.empty()) << issues.front().message;
}

TEST_F(WebhookIdentityResolver, RoleArnOutsideThePatternIsReportedInTheReferencesWordsAndStillUsed) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, "arn:aws:iam::1:role/short-account"}});
  AnnotationIssues issues;
  auto id = r.resolve({&account, nullptr, false}, &issues);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->roleArn, "arn:aws:iam::1:role/short-account");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].field, AnnotationIssue::Field::kRoleArn);
  EXPECT_EQ(issues[0].message, "arn is invalid: arn:aws:iam::1:role/short-account");
  // Without a sink the same resolution is made.
  EXPECT_EQ(r.resolve({&account, nullptr, false})->roleArn, id->roleArn);
}

TEST_F(WebhookIdentityResolver, TheComposedRoleArnIsTheOneChecked) {
  settings.composeRoleArn = RoleArnComposition{"aws", "123456789012", "us-east-1"};
  IdentityResolver r(settings);
  ServiceAccount good = sa({{kRoleKey, "team/my-role"}});
  AnnotationIssues issues;
  ASSERT_TRUE(r.resolve({&good, nullptr, false}, &issues).has_value());
  EXPECT_TRUE(issues.empty());
  ServiceAccount bad = sa({{kRoleKey, "my role"}});
  ASSERT_TRUE(r.resolve({&bad, nullptr, false}, &issues).has_value());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].message, "arn is invalid: arn:aws:iam::123456789012:role/my role");
}

TEST_F(WebhookIdentityResolver, AConfigMapRoleIsNotChecked) {
  IdentityResolver r(settings);
  ConfigMapEntry entry = cmEntry("not-an-arn");
  AnnotationIssues issues;
  ASSERT_TRUE(r.resolve({nullptr, &entry, false}, &issues).has_value());
  EXPECT_TRUE(issues.empty());  // the ConfigMap is the cluster admin's, checked when parsed
}

TEST_F(WebhookIdentityResolver, InvalidAudienceFallsBackToTheFlagWithAnIssue) {
  settings.tokenAudience = "flag-aud";
  IdentityResolver r(settings);
  const std::pair<std::string, std::string> cases[] = {
      {"", "it is empty"},
      {"two words", "byte 3 is 0x20, not a visible ASCII character"},
      {std::string(256, 'a'), "it is 256 bytes long, more than 255"},
  };
  for (const auto& [audience, why] : cases) {
    ServiceAccount account = sa({{kRoleKey, kRole}, {"eks.amazonaws.com/audience", audience}});
    AnnotationIssues issues;
    auto id = r.resolve({&account, nullptr, false}, &issues);
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->audience, "flag-aud") << audience;
    ASSERT_EQ(issues.size(), 1u) << audience;
    EXPECT_EQ(issues[0].field, AnnotationIssue::Field::kAudience);
    EXPECT_EQ(issues[0].message,
              "Ignoring service account ns/sa invalid value for audience annotation: " + why);
  }
}

TEST_F(WebhookIdentityResolver, InvalidRegionalStsAndExpirationAreReportedInTheReferencesWords) {
  settings.tokenExpiration = 5000;
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, kRole},
                               {"eks.amazonaws.com/sts-regional-endpoints", "yes"},
                               {"eks.amazonaws.com/token-expiration", "1h"}});
  AnnotationIssues issues;
  ASSERT_TRUE(r.resolve({&account, nullptr, false}, &issues).has_value());
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].field, AnnotationIssue::Field::kStsRegionalEndpoints);
  EXPECT_EQ(issues[0].message,
            "Ignoring service account ns/sa invalid value for disable-regional-sts annotation");
  EXPECT_EQ(issues[1].field, AnnotationIssue::Field::kServiceAccountTokenExpiration);
  EXPECT_EQ(issues[1].message,
            "Found invalid value for token expiration, using 5000 seconds as default: strconv.ParseInt: "
            "parsing \"1h\": invalid syntax");
}

TEST_F(WebhookIdentityResolver, ExpirationAboveTwoToThe32IsIgnoredAndTheBoundItselfKept) {
  IdentityResolver r(settings);
  ServiceAccount over = sa({{kRoleKey, kRole}, {"eks.amazonaws.com/token-expiration", "4294967297"}});
  AnnotationIssues issues;
  EXPECT_EQ(r.resolve({&over, nullptr, false}, &issues)->tokenExpiration, settings.tokenExpiration);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(
      issues[0].message,
      "Found invalid value for token expiration, using 86400 seconds as default: 4294967297 is more than "
      "4294967296 (2^32) seconds, the most Kubernetes accepts");
  ServiceAccount max = sa({{kRoleKey, kRole}, {"eks.amazonaws.com/token-expiration", "4294967296"}});
  EXPECT_EQ(r.resolve({&max, nullptr, false})->tokenExpiration, 4294967296);
}

TEST_F(WebhookIdentityResolver, ContainerCredentialsReportNoRoleIssueButTheParametersOnes) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{kRoleKey, "not-an-arn"}, {"eks.amazonaws.com/token-expiration", "x"}});
  AnnotationIssues issues;
  ASSERT_TRUE(r.resolve({&account, nullptr, true}, &issues).has_value());
  ASSERT_EQ(issues.size(), 1u);  // the role is not used in this mode
  EXPECT_EQ(issues[0].field, AnnotationIssue::Field::kServiceAccountTokenExpiration);
}

TEST_F(WebhookIdentityResolver, AServiceAccountWithoutIdentityReportsNothing) {
  IdentityResolver r(settings);
  ServiceAccount account = sa({{"eks.amazonaws.com/audience", ""}});
  AnnotationIssues issues;
  EXPECT_FALSE(r.resolve({&account, nullptr, false}, &issues).has_value());
  EXPECT_TRUE(issues.empty());
}

// --- --compose-role-arn ------------------------------------------------------

TEST_F(WebhookIdentityResolver, ComposeExpandsABareRoleName) {
  settings.composeRoleArn = RoleArnComposition{"aws-cn", "123456789012", "cn-north-1"};
  IdentityResolver r(settings);
  EXPECT_EQ(r.roleArnOf(sa({{kRoleKey, "my-role"}})), "arn:aws-cn:iam::123456789012:role/my-role");
  EXPECT_EQ(r.roleArnOf(sa({{kRoleKey, "team/my-role"}})), "arn:aws-cn:iam::123456789012:role/team/my-role");
}

TEST_F(WebhookIdentityResolver, ComposeKeepsValuesThatContainArn) {
  settings.composeRoleArn = RoleArnComposition{"aws", "123456789012", "us-east-1"};
  IdentityResolver r(settings);
  EXPECT_EQ(r.roleArnOf(sa({{kRoleKey, kRole}})), kRole);
  // The reference checks "contains", not "starts with".
  EXPECT_EQ(r.roleArnOf(sa({{kRoleKey, "x-arn:y"}})), "x-arn:y");
}

TEST_F(WebhookIdentityResolver, ComposeAlsoAppliesToConfigMapRoles) {
  settings.composeRoleArn = RoleArnComposition{"aws-us-gov", "123456789012", "us-gov-west-1"};
  IdentityResolver r(settings);
  ConfigMapEntry entry = cmEntry("cm-role");
  auto id = r.resolve({nullptr, &entry, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->roleArn, "arn:aws-us-gov:iam::123456789012:role/cm-role");
}

TEST_F(WebhookIdentityResolver, WithoutComposeABareRoleNameIsKeptAsIs) {
  IdentityResolver r(settings);
  EXPECT_EQ(r.roleArnOf(sa({{kRoleKey, "my-role"}})), "my-role");
}

TEST(WebhookPartitionForRegion, MapsRegionPrefixesToPartitions) {
  EXPECT_EQ(partitionForRegion("cn-north-1"), "aws-cn");
  EXPECT_EQ(partitionForRegion("cn-northwest-1"), "aws-cn");
  EXPECT_EQ(partitionForRegion("us-gov-west-1"), "aws-us-gov");
  EXPECT_EQ(partitionForRegion("us-iso-east-1"), "aws-iso");
  EXPECT_EQ(partitionForRegion("us-isob-east-1"), "aws-iso-b");
  EXPECT_EQ(partitionForRegion("eusc-de-east-1"), "aws-eusc");
  EXPECT_EQ(partitionForRegion("us-east-1"), "aws");
  EXPECT_EQ(partitionForRegion("eu-west-1"), "aws");
  EXPECT_EQ(partitionForRegion(""), "aws");
  EXPECT_EQ(partitionForRegion("cn"), "aws");  // prefix includes the dash
}

// --- ConfigMap parameters ------------------------------------------------------

TEST_F(WebhookIdentityResolver, ConfigMapMissingAudienceUsesTheFlag) {
  settings.tokenAudience = "flag-aud";
  IdentityResolver r(settings);
  ConfigMapEntry entry = cmEntry();
  auto id = r.resolve({nullptr, &entry, false});
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->audience, "flag-aud");
  entry.audience = "cm-aud";
  EXPECT_EQ(r.resolve({nullptr, &entry, false})->audience, "cm-aud");
}

TEST_F(WebhookIdentityResolver, ConfigMapTokenExpirationZeroUsesTheFlagAndSmallValuesClamp) {
  settings.tokenExpiration = 4321;
  IdentityResolver r(settings);
  ConfigMapEntry entry = cmEntry();
  EXPECT_EQ(r.resolve({nullptr, &entry, false})->tokenExpiration, 4321);
  entry.tokenExpiration = 100;
  EXPECT_EQ(r.resolve({nullptr, &entry, false})->tokenExpiration, kMinTokenExpiration);
  entry.tokenExpiration = -5;
  EXPECT_EQ(r.resolve({nullptr, &entry, false})->tokenExpiration, kMinTokenExpiration);
  entry.tokenExpiration = 7200;
  EXPECT_EQ(r.resolve({nullptr, &entry, false})->tokenExpiration, 7200);
}

TEST_F(WebhookIdentityResolver, ConfigMapUseRegionalStsIsTaken) {
  IdentityResolver r(settings);
  ConfigMapEntry entry = cmEntry();
  entry.useRegionalSts = true;
  EXPECT_TRUE(r.resolve({nullptr, &entry, false})->regionalSts);
}

TEST(WebhookClampTokenExpiration, RaisesValuesBelowTheMinimum) {
  EXPECT_EQ(clampTokenExpiration(-1), 600);
  EXPECT_EQ(clampTokenExpiration(0), 600);
  EXPECT_EQ(clampTokenExpiration(599), 600);
  EXPECT_EQ(clampTokenExpiration(600), 600);
  EXPECT_EQ(clampTokenExpiration(601), 601);
  EXPECT_EQ(clampTokenExpiration(86400), 86400);
}

}  // namespace
