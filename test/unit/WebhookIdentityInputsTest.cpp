// webhook/IdentityInputs: one pod's identity inputs, built the same way for
// `serve` and `mutate`; and kube/ContainerCredentialsFile, the one loader of
// the container-credentials file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kube/ContainerCredentialsFile.hpp"
#include "test/support/TempDir.hpp"
#include "webhook/IdentityInputs.hpp"
#include "webhook/Json.hpp"

using namespace irsa;
using webhook::ConfigMapIdentities;
using webhook::ContainerCredentialsConfig;
using webhook::IdentityInputs;
using webhook::ServiceAccount;

namespace {

rapidjson::Document json(std::string_view text) {
  rapidjson::Document doc;
  EXPECT_TRUE(webhook::parseJson(doc, text, 100).ok()) << text;
  return doc;
}

ConfigMapIdentities configMap(std::string_view config) {
  std::vector<std::string> warnings;
  auto parsed = ConfigMapIdentities::parse(config, warnings);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? std::move(*parsed) : ConfigMapIdentities{};
}

ContainerCredentialsConfig containerCredentials(std::string_view text) {
  auto parsed = ContainerCredentialsConfig::parse(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  return parsed.ok() ? std::move(*parsed) : ContainerCredentialsConfig{};
}

// --- configMapIdentitiesOf ------------------------------------------------------

TEST(WebhookIdentityInputs, ConfigMapObjectGivesTheEntriesOfDataConfig) {
  std::vector<std::string> warnings;
  auto cm = webhook::configMapIdentitiesOf(json(R"({"kind":"ConfigMap","data":{
      "config":"{\"ns/sa\":{\"RoleARN\":\"arn:aws:iam::1:role/r\"}}","other":"x"}})"),
                                           warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(cm->size(), 1u);
  ASSERT_NE(cm->find("ns", "sa"), nullptr);
  EXPECT_EQ(cm->find("ns", "sa")->roleArn, "arn:aws:iam::1:role/r");
}

TEST(WebhookIdentityInputs, ConfigMapWithoutDataOrConfigHasNoEntries) {
  for (const char* object : {R"({"kind":"ConfigMap"})", R"({"data":{}})", R"({"data":{"config":""}})",
                             R"({"data":{"config":7}})", R"({"data":"config"})"}) {
    std::vector<std::string> warnings;
    auto cm = webhook::configMapIdentitiesOf(json(object), warnings);
    ASSERT_TRUE(cm.ok()) << object << ": " << cm.error();
    EXPECT_EQ(cm->size(), 0u) << object;
    EXPECT_TRUE(warnings.empty()) << object;
  }
}

TEST(WebhookIdentityInputs, ConfigMapWithAnInvalidConfigFails) {
  std::vector<std::string> warnings;
  EXPECT_FALSE(webhook::configMapIdentitiesOf(json(R"({"data":{"config":"{not json"}})"), warnings).ok());
  EXPECT_FALSE(webhook::configMapIdentitiesOf(
                   json(R"({"data":{"config":"{\"ns/sa\":{\"TokenExpiration\":\"1\"}}"}})"), warnings)
                   .ok());
}

TEST(WebhookIdentityInputs, ConfigMapEntriesItSkipsAreWarnings) {
  std::vector<std::string> warnings;
  auto cm = webhook::configMapIdentitiesOf(
      json(R"({"data":{"config":"{\"no-slash\":{\"RoleARN\":\"arn:aws:iam::1:role/r\"}}"}})"), warnings);
  ASSERT_TRUE(cm.ok()) << cm.error();
  EXPECT_EQ(cm->size(), 0u);
  EXPECT_EQ(warnings.size(), 1u);
}

// --- parseContainerCredentialsFile ---------------------------------------------------

TEST(WebhookIdentityInputs, ContainerCredentialsFileTextIsParsed) {
  auto cc = webhook::parseContainerCredentialsFile(
      "/etc/cc.json", R"({"identities":[{"namespace":"ns","serviceAccount":"sa"}]})");
  ASSERT_TRUE(cc.ok()) << cc.error();
  EXPECT_TRUE(cc->contains("ns", "sa"));
  EXPECT_EQ(cc->size(), 1u);
}

TEST(WebhookIdentityInputs, ContainerCredentialsFileErrorsNameTheFile) {
  auto cc = webhook::parseContainerCredentialsFile("/etc/cc.json", "{not json");
  ASSERT_FALSE(cc.ok());
  EXPECT_EQ(cc.error().rfind("/etc/cc.json: ", 0), 0u) << cc.error();
}

// --- IdentityInputs ---------------------------------------------------------------------

TEST(WebhookIdentityInputs, NothingLoadedNamesNobodyAndFindsNothing) {
  const IdentityInputs inputs;
  EXPECT_FALSE(inputs.namesServiceAccount("ns", "sa"));
  const auto sources = inputs.sourcesFor("ns", "sa", nullptr);
  EXPECT_EQ(sources.serviceAccount, nullptr);
  EXPECT_EQ(sources.configMapEntry, nullptr);
  EXPECT_FALSE(sources.containerCredentials);
}

TEST(WebhookIdentityInputs, EitherListNamesAServiceAccount) {
  const auto cm = configMap(R"({"ns/from-cm":{"RoleARN":"arn:aws:iam::1:role/r"},
                                "*/any-ns":{"RoleARN":"arn:aws:iam::1:role/r"}})");
  const auto cc = containerCredentials(R"({"identities":[{"namespace":"ns","serviceAccount":"from-cc"}]})");
  const IdentityInputs inputs{&cm, &cc};
  EXPECT_TRUE(inputs.namesServiceAccount("ns", "from-cm"));
  EXPECT_TRUE(inputs.namesServiceAccount("ns", "from-cc"));
  EXPECT_TRUE(inputs.namesServiceAccount("elsewhere", "any-ns"));
  EXPECT_FALSE(inputs.namesServiceAccount("elsewhere", "from-cm"));
  EXPECT_FALSE(inputs.namesServiceAccount("elsewhere", "from-cc"));
  EXPECT_FALSE(inputs.namesServiceAccount("ns", "other"));
  EXPECT_TRUE((IdentityInputs{&cm, nullptr}.namesServiceAccount("ns", "from-cm")));
  EXPECT_TRUE((IdentityInputs{nullptr, &cc}.namesServiceAccount("ns", "from-cc")));
}

TEST(WebhookIdentityInputs, SourcesForPickTheEntriesOfThisServiceAccountOnly) {
  const auto cm = configMap(R"({"ns/sa":{"RoleARN":"arn:aws:iam::1:role/r"}})");
  const auto cc = containerCredentials(R"({"identities":[{"namespace":"ns","serviceAccount":"sa"}]})");
  const ServiceAccount sa("ns", "sa");
  const IdentityInputs inputs{&cm, &cc};

  const auto mine = inputs.sourcesFor("ns", "sa", &sa);
  EXPECT_EQ(mine.serviceAccount, &sa);
  EXPECT_EQ(mine.configMapEntry, cm.find("ns", "sa"));
  EXPECT_NE(mine.configMapEntry, nullptr);
  EXPECT_TRUE(mine.containerCredentials);

  const auto other = inputs.sourcesFor("ns", "other", nullptr);
  EXPECT_EQ(other.serviceAccount, nullptr);
  EXPECT_EQ(other.configMapEntry, nullptr);
  EXPECT_FALSE(other.containerCredentials);
}

TEST(WebhookIdentityInputs, MissingServiceAccountIsCountedAsTheReferenceCountsIt) {
  const ServiceAccount sa("ns", "sa");
  const webhook::ConfigMapEntry entry;
  webhook::IdentitySources sources;
  EXPECT_TRUE(webhook::countsAsMissingServiceAccount(sources));
  sources.serviceAccount = &sa;
  EXPECT_FALSE(webhook::countsAsMissingServiceAccount(sources));
  sources = {};
  sources.configMapEntry = &entry;  // a ConfigMap entry counts as found
  EXPECT_FALSE(webhook::countsAsMissingServiceAccount(sources));
  sources = {};
  sources.containerCredentials = true;  // container credentials never look
  EXPECT_FALSE(webhook::countsAsMissingServiceAccount(sources));
}

// --- kube::ContainerCredentialsFile -----------------------------------------------------

TEST(KubeContainerCredentialsFile, LoadsTheListAndTellsAnEmptyFile) {
  testsupport::TempDir dir;
  testsupport::writeFileAtomically(dir.file("cc.json"),
                                   R"({"identities":[{"namespace":"ns","serviceAccount":"sa"}]})");
  auto listed = kube::ContainerCredentialsFile::load(dir.file("cc.json"));
  ASSERT_TRUE(listed.ok()) << listed.error();
  EXPECT_TRUE(listed->identities.contains("ns", "sa"));
  EXPECT_FALSE(listed->empty);

  testsupport::writeFileAtomically(dir.file("cc.json"), "");
  auto empty = kube::ContainerCredentialsFile::load(dir.file("cc.json"));
  ASSERT_TRUE(empty.ok()) << empty.error();
  EXPECT_EQ(empty->identities.size(), 0u);
  EXPECT_TRUE(empty->empty);

  // Blank is not empty: it lists nobody, but the file has bytes.
  testsupport::writeFileAtomically(dir.file("cc.json"), "\n");
  auto blank = kube::ContainerCredentialsFile::load(dir.file("cc.json"));
  ASSERT_TRUE(blank.ok()) << blank.error();
  EXPECT_FALSE(blank->empty);
}

TEST(KubeContainerCredentialsFile, UnreadableOrInvalidFilesFailNamingTheFile) {
  testsupport::TempDir dir;
  auto missing = kube::ContainerCredentialsFile::load(dir.file("absent.json"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find(dir.file("absent.json")), std::string::npos) << missing.error();

  testsupport::writeFileAtomically(dir.file("bad.json"), R"({"identities":[{"namespace":"ns"}]})");
  auto invalid = kube::ContainerCredentialsFile::load(dir.file("bad.json"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().rfind(dir.file("bad.json") + ": ", 0), 0u) << invalid.error();
}

}  // namespace
