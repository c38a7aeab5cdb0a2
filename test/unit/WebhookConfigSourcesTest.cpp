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

TEST(WebhookConfigMapIdentities, TokenExpirationAboveTwoToThe32MeansTheFlagWithAWarning) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(
      R"({"ns/max":{"RoleARN":"r","TokenExpiration":4294967296},"ns/over":{"RoleARN":"r","TokenExpiration":4294967297}})",
      warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            "config entry 'ns/over': TokenExpiration 4294967297 is more than 4294967296 (2^32) seconds, the "
            "most Kubernetes accepts; using --token-expiration");
  ASSERT_NE(cm->find("ns", "over"), nullptr);  // the entry is kept
  EXPECT_EQ(cm->find("ns", "over")->tokenExpiration, 0);
  EXPECT_EQ(cm->find("ns", "max")->tokenExpiration, 4294967296);
}

TEST(WebhookConfigMapIdentities, EmptyObjectHasNoEntries) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse("{}", warnings);
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->size(), 0u);
  EXPECT_EQ(cm->find("ns", "sa"), nullptr);
}

TEST(WebhookConfigMapIdentities, EntriesTheReferenceCannotUseBecomeWarningsAndAreSkipped) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(R"({
      "good/sa":       {"RoleARN":"r"},
      "noslash":       {"RoleARN":"r"},
      "/leading":      {"RoleARN":"r"},
      "trailing/":     {"RoleARN":"r"},
      "a/b/c":         {"RoleARN":"r"},
      "ns/null":       null,
      "ns/norole":     {"Audience":"a"},
      "ns/emptyrole":  {"RoleARN":""},
      "ns/nullrole":   {"RoleARN":null}
    })",
                                       warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->size(), 1u);
  EXPECT_NE(cm->find("good", "sa"), nullptr);
  EXPECT_EQ(warnings.size(), 8u);
  for (const char* key :
       {"noslash", "/leading", "trailing/", "a/b/c", "ns/null", "ns/norole", "ns/emptyrole", "ns/nullrole"}) {
    EXPECT_TRUE(anyMentions(warnings, std::string("'") + key + "'")) << key;
  }
}

// encoding/json fails the whole Unmarshal on a type mismatch, and the
// reference then keeps its previous entries: one bad value rejects the document.
TEST(WebhookConfigMapIdentities, AValueOfTheWrongTypeFailsTheWholeDocument) {
  for (const char* bad :
       {R"("r")", R"({"RoleARN":5})", R"({"RoleARN":"r","Audience":1})",
        R"({"RoleARN":"r","UseRegionalSTS":"true"})", R"({"RoleARN":"r","TokenExpiration":"3600"})",
        R"({"RoleARN":"r","TokenExpiration":1.5})", R"({"RoleARN":"r","TokenExpiration":1e3})",
        R"({"RoleARN":"r","tokenexpiration":"3600"})", R"([])"}) {
    std::vector<std::string> warnings;
    auto cm = ConfigMapIdentities::parse(std::string(R"({"good/sa":{"RoleARN":"r"},"ns/bad":)") + bad + "}",
                                         warnings);
    ASSERT_FALSE(cm.ok()) << bad;
    EXPECT_NE(cm.error().find("'ns/bad'"), std::string::npos) << cm.error();
  }
}

TEST(WebhookConfigMapIdentities, FieldNamesMatchCaseInsensitivelyAsInGo) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(
      R"({"ns/a":{"roleArn":"lower","audience":"aud","useRegionalSts":true,"tokenExpiration":7200},
          "ns/b":{"ROLEARN":"upper","USEREGIONALSTS":true},
          "ns/k":{"RoleARN":"r","To\u212Aen\u017Fxpiration":1},
          "ns/s":{"RoleARN":"r","UseRegionalST\u017F":true},
          "ns/unknown":{"RoleARN":"r","Role_ARN":"x","TokenExpirationX":5}})",
      warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_TRUE(warnings.empty());
  const auto* a = cm->find("ns", "a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->roleArn, "lower");
  EXPECT_EQ(a->audience, "aud");
  EXPECT_TRUE(a->useRegionalSts);
  EXPECT_EQ(a->tokenExpiration, 7200);
  EXPECT_EQ(cm->find("ns", "b")->roleArn, "upper");
  EXPECT_TRUE(cm->find("ns", "b")->useRegionalSts);
  // U+212A KELVIN SIGN folds to k and U+017F LONG S to s; \u017F is no e.
  EXPECT_EQ(cm->find("ns", "k")->tokenExpiration, 0);
  EXPECT_TRUE(cm->find("ns", "s")->useRegionalSts);
  EXPECT_EQ(cm->find("ns", "unknown")->roleArn, "r");
  EXPECT_EQ(cm->find("ns", "unknown")->tokenExpiration, 0);
}

TEST(WebhookConfigMapIdentities, KelvinSignAndLongSFoldToAscii) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(R"({"ns/k":{"RoleARN":"r","To\u212Aen\u0045xpiration":9}})", warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->find("ns", "k")->tokenExpiration, 9);
  // Other non-ASCII letters never fold to ASCII ones.
  cm = ConfigMapIdentities::parse(R"({"ns/k":{"RoleARN":"r","T\u00D6kenExpiration":9}})", warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->find("ns", "k")->tokenExpiration, 0);
}

TEST(WebhookConfigMapIdentities, RepeatedFieldsAndKeysLastOneWinsAndNullIsIgnored) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse(
      R"({"ns/a":{"RoleARN":"exact","roleArn":"folded"},
          "ns/b":{"roleArn":"folded","RoleARN":"exact"},
          "ns/c":{"RoleARN":"kept","roleArn":null},
          "ns/d":{"RoleARN":"first","TokenExpiration":5},
          "ns/d":{"RoleARN":"second"}})",
      warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->find("ns", "a")->roleArn, "folded");
  EXPECT_EQ(cm->find("ns", "b")->roleArn, "exact");
  EXPECT_EQ(cm->find("ns", "c")->roleArn, "kept");
  // A repeated entry replaces the whole value, it does not merge.
  EXPECT_EQ(cm->find("ns", "d")->roleArn, "second");
  EXPECT_EQ(cm->find("ns", "d")->tokenExpiration, 0);
}

TEST(WebhookConfigMapIdentities, NullDocumentHasNoEntries) {
  std::vector<std::string> warnings;
  auto cm = ConfigMapIdentities::parse("null", warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->size(), 0u);
}

TEST(WebhookConfigMapIdentities, ANonObjectDocumentIsAnError) {
  for (const char* text : {"[]", "\"ns/sa\"", "42", "true"}) {
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

TEST(WebhookContainerCredentialsConfig, KeysMatchCaseInsensitivelyAndTheLastOneWins) {
  auto cc = ContainerCredentialsConfig::parse(
      R"({"Identities":[{"Namespace":"ns","ServiceAccount":"sa"},{"NAMESPACE":"x","serviceaccount":"y"},
                        {"namespace":"first","namespace":"last","serviceAccount":"z","serviceAccount":null},
                        {"namespace":"n","\u017FerviceAccount":"long-s"}]})");
  ASSERT_TRUE(cc.ok()) << cc.error();
  EXPECT_EQ(cc->size(), 4u);
  EXPECT_TRUE(cc->contains("ns", "sa"));
  EXPECT_TRUE(cc->contains("x", "y"));
  EXPECT_TRUE(cc->contains("last", "z"));
  EXPECT_TRUE(cc->contains("n", "long-s"));
  EXPECT_FALSE(cc->contains("first", "z"));
}

TEST(WebhookContainerCredentialsConfig, NullDocumentListsNobody) {
  auto cc = ContainerCredentialsConfig::parse("null");
  ASSERT_TRUE(cc.ok()) << cc.error();
  EXPECT_EQ(cc->size(), 0u);
}

TEST(WebhookContainerCredentialsConfig, MalformedDocumentsAreErrors) {
  for (const char* text : {"[]", R"({"identities":{}})", R"({"identities":"ns/sa"})",
                           R"({"IDENTITIES":"ns/sa"})", "{", "nonsense"}) {
    EXPECT_FALSE(ContainerCredentialsConfig::parse(text).ok()) << text;
  }
}

}  // namespace
