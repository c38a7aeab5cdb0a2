// webhook/ConfigMapIdentities and webhook/ContainerCredentialsConfig: the two
// file/ConfigMap sources of identities, parsed from their JSON text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "webhook/ConfigMapIdentities.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"

using irsa::webhook::ConfigMapIdentities;
using irsa::webhook::ContainerCredentialsConfig;

namespace {

bool anyMentions(const std::vector<std::string>& warnings, const std::string& text) {
  for (const auto& w : warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

// --- ConfigMapIdentities ------------------------------------------------------

TEST(WebhookConfigMapIdentities, ParsesAllFieldsOfAnEntry) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(
      R"({"ns/sa":{"RoleARN":"arn:aws:iam::1:role/r","Audience":"aud","UseRegionalSTS":true,"TokenExpiration":3600}})",
      warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(cm->size(), 1u);
  const auto* e = cm->find("ns", "sa");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->roleArn, "arn:aws:iam::1:role/r");
  EXPECT_EQ(e->audience, "aud");
  EXPECT_TRUE(e->useRegionalSts);
  EXPECT_EQ(e->tokenExpiration, 3600);
}

TEST(WebhookConfigMapIdentities, OptionalFieldsDefault) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(R"({"ns/sa":{"RoleARN":"r"}})", warnings);
  ASSERT_TRUE(cm.ok());
  const auto* e = cm->find("ns", "sa");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->audience, "");
  EXPECT_FALSE(e->useRegionalSts);
  EXPECT_EQ(e->tokenExpiration, 0);
}

TEST(WebhookConfigMapIdentities, EmptyObjectHasNoEntries) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse("{}", warnings);
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->size(), 0u);
  EXPECT_EQ(cm->find("ns", "sa"), nullptr);
}

TEST(WebhookConfigMapIdentities, BadEntriesBecomeWarningsAndAreSkipped) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(R"({
      "good/sa":       {"RoleARN":"r"},
      "noslash":       {"RoleARN":"r"},
      "/leading":      {"RoleARN":"r"},
      "trailing/":     {"RoleARN":"r"},
      "ns/notobject":  "r",
      "ns/norole":     {"Audience":"a"},
      "ns/emptyrole":  {"RoleARN":""},
      "ns/numrole":    {"RoleARN":5},
      "ns/badaud":     {"RoleARN":"r","Audience":1},
      "ns/badsts":     {"RoleARN":"r","UseRegionalSTS":"true"},
      "ns/strexp":     {"RoleARN":"r","TokenExpiration":"3600"},
      "ns/floatexp":   {"RoleARN":"r","TokenExpiration":1.5}
    })",
                                       warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->size(), 1u);
  EXPECT_NE(cm->find("good", "sa"), nullptr);
  EXPECT_EQ(warnings.size(), 11u);
  for (const char* key : {"noslash", "/leading", "trailing/", "ns/notobject", "ns/norole", "ns/emptyrole",
                          "ns/numrole", "ns/badaud", "ns/badsts", "ns/strexp", "ns/floatexp"}) {
    EXPECT_TRUE(anyMentions(warnings, std::string("'") + key + "'")) << key;
  }
  for (const char* name :
       {"notobject", "norole", "emptyrole", "numrole", "badaud", "badsts", "strexp", "floatexp"}) {
    EXPECT_EQ(cm->find("ns", name), nullptr) << name;
  }
}

TEST(WebhookConfigMapIdentities, ANonObjectDocumentIsAnError) {
  for (const char* text : {"[]", "\"ns/sa\"", "null", "42"}) {
    std::vector<std::string> warnings;
    auto cm = ConfigMapIdentities::parse(text, warnings);
    EXPECT_FALSE(cm.ok()) << text;
  }
}

TEST(WebhookConfigMapIdentities, InvalidJsonIsAnError) {
  for (const char* text : {"", "{", "{\"a/b\":{\"RoleARN\":\"r\"}} trailing"}) {
    std::vector<std::string> warnings;
    auto cm = ConfigMapIdentities::parse(text, warnings);
    ASSERT_FALSE(cm.ok()) << text;
    EXPECT_EQ(cm.error().rfind("config: ", 0), 0u) << cm.error();
  }
}

TEST(WebhookConfigMapIdentities, WildcardNamespaceMatchesAnyNamespace) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(R"({"*/builder":{"RoleARN":"wild"}})", warnings);
  ASSERT_TRUE(cm.ok());
  for (const char* ns : {"a", "b", "kube-system"}) {
    const auto* e = cm->find(ns, "builder");
    ASSERT_NE(e, nullptr) << ns;
    EXPECT_EQ(e->roleArn, "wild");
  }
  EXPECT_EQ(cm->find("a", "other"), nullptr);
}

TEST(WebhookConfigMapIdentities, ExactKeyIsFoundBeforeTheWildcard) {
  std::vector<std::string> warnings;
  // The wildcard comes last in the text and must still lose.
  auto cm = ConfigMapIdentities::parse(
      R"({"team/builder":{"RoleARN":"exact"},"*/builder":{"RoleARN":"wild"}})", warnings);
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->find("team", "builder")->roleArn, "exact");
  EXPECT_EQ(cm->find("other", "builder")->roleArn, "wild");
}

TEST(WebhookConfigMapIdentities, LookupDoesNotMatchAcrossTheSlash) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(R"({"ns/sa":{"RoleARN":"r"}})", warnings);
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->find("ns", "sa2"), nullptr);
  EXPECT_EQ(cm->find("ns2", "sa"), nullptr);
  EXPECT_EQ(cm->find("sa", "ns"), nullptr);
}

// --- ContainerCredentialsConfig ---------------------------------------------------

TEST(WebhookContainerCredentialsConfig, EmptyOrBlankTextListsNobody) {
  for (const char* text : {"", "  \n\t\r\n"}) {
    auto cc = ContainerCredentialsConfig::parse(text);
    ASSERT_TRUE(cc.ok()) << cc.error();
    EXPECT_EQ(cc->size(), 0u);
    EXPECT_FALSE(cc->contains("ns", "sa"));
  }
}

TEST(WebhookContainerCredentialsConfig, ObjectWithoutIdentitiesListsNobody) {
  for (const char* text : {"{}", R"({"identities":null})", R"({"identities":[]})"}) {
    auto cc = ContainerCredentialsConfig::parse(text);
    ASSERT_TRUE(cc.ok()) << text;
    EXPECT_EQ(cc->size(), 0u) << text;
  }
}

TEST(WebhookContainerCredentialsConfig, ContainsListedServiceAccountsOnly) {
  auto cc = ContainerCredentialsConfig::parse(
      R"({"identities":[{"namespace":"ns","serviceAccount":"sa"},{"namespace":"other","serviceAccount":"x"}]})");
  ASSERT_TRUE(cc.ok()) << cc.error();
  EXPECT_EQ(cc->size(), 2u);
  EXPECT_TRUE(cc->contains("ns", "sa"));
  EXPECT_TRUE(cc->contains("other", "x"));
  EXPECT_FALSE(cc->contains("ns", "x"));
  EXPECT_FALSE(cc->contains("other", "sa"));
  EXPECT_FALSE(cc->contains("sa", "ns"));
  EXPECT_FALSE(cc->contains("ns", "sa2"));
}

TEST(WebhookContainerCredentialsConfig, DuplicateEntriesCountOnce) {
  auto cc = ContainerCredentialsConfig::parse(
      R"({"identities":[{"namespace":"ns","serviceAccount":"sa"},{"namespace":"ns","serviceAccount":"sa"}]})");
  ASSERT_TRUE(cc.ok());
  EXPECT_EQ(cc->size(), 1u);
}

TEST(WebhookContainerCredentialsConfig, MissingFieldsAreErrors) {
  for (const char* text :
       {R"({"identities":[{"namespace":"ns"}]})", R"({"identities":[{"serviceAccount":"sa"}]})",
        R"({"identities":[{"namespace":"","serviceAccount":"sa"}]})",
        R"({"identities":[{"namespace":"ns","serviceAccount":7}]})", R"({"identities":["ns/sa"]})"}) {
    auto cc = ContainerCredentialsConfig::parse(text);
    ASSERT_FALSE(cc.ok()) << text;
    EXPECT_NE(cc.error().find("identities[0]"), std::string::npos) << cc.error();
  }
  auto second = ContainerCredentialsConfig::parse(
      R"({"identities":[{"namespace":"ns","serviceAccount":"sa"},{"namespace":"ns"}]})");
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().find("identities[1]"), std::string::npos) << second.error();
}

TEST(WebhookContainerCredentialsConfig, MalformedDocumentsAreErrors) {
  for (const char* text : {"[]", R"({"identities":{}})", R"({"identities":"ns/sa"})", "{", "nonsense"}) {
    EXPECT_FALSE(ContainerCredentialsConfig::parse(text).ok()) << text;
  }
}

}  // namespace
