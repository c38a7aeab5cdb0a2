// Runs every case folder in test/fixtures/mutation/ (see its README) through
// the same path as `irsa-webhook mutate` and compares pods by meaning.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/MutationFlags.hpp"
#include "cli/OfflineMutation.hpp"
#include "kube/ContainerCredentialsFile.hpp"
#include "kube/ServiceAccountFile.hpp"
#include "util/Files.hpp"
#include "util/FlagSet.hpp"
#include "util/JsonWriter.hpp"
#include "webhook/IdentityResolver.hpp"
#include "webhook/Json.hpp"
#include "webhook/JsonPatchApplier.hpp"

namespace fs = std::filesystem;
using namespace irsa;

namespace {

const fs::path kFixtures = fs::path(IRSA_SOURCE_DIR) / "test/fixtures/mutation";

class LowestRandom : public webhook::RandomSource {
 public:
  std::int64_t uniform(std::int64_t lo, std::int64_t) override { return lo; }
};

std::string pretty(const rapidjson::Value& v) {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonPrettyWriter writer(buffer);
  v.Accept(writer);
  return buffer.GetString();
}

// spec.volumes order is not significant: sort by name before comparing.
void normalize(rapidjson::Document& pod) {
  rapidjson::Value* spec = pod.IsObject() && pod.HasMember("spec") ? &pod["spec"] : nullptr;
  if (!spec || !spec->IsObject() || !spec->HasMember("volumes") || !(*spec)["volumes"].IsArray()) return;
  auto& vols = (*spec)["volumes"];
  std::vector<rapidjson::Value*> items;
  for (auto& v : vols.GetArray())
    items.push_back(&v);
  std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) {
    return webhook::stringMember(*a, "name") < webhook::stringMember(*b, "name");
  });
  rapidjson::Value sorted(rapidjson::kArrayType);
  for (auto* v : items)
    sorted.PushBack(rapidjson::Value(*v, pod.GetAllocator()), pod.GetAllocator());
  vols = std::move(sorted);
}

std::vector<std::string> readFlagLines(const fs::path& file) {
  std::vector<std::string> args;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t\r") + 1);
    if (!line.empty() && line[0] != '#') args.push_back(line);
  }
  return args;
}

// Every line, as is (a warning may end in a space), but a final newline.
std::vector<std::string> readLines(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    lines.push_back(line);
  return lines;
}

std::string readTrimmed(const fs::path& file) {
  auto text = util::readTextFile(file.string());
  std::string s = text ? *text : "";
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return s;
}

std::vector<std::string> caseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class MutationFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(MutationFixture, ResultingPodMatchesExpectedAndSecondPassIsEmpty) {
  const fs::path dir = kFixtures / GetParam();
  cli::MutationFlags parsed;
  util::FlagSet flags("mutate");
  cli::addMutationFlags(flags, parsed);
  if (fs::exists(dir / "flags")) {
    ASSERT_TRUE(flags.parse(readFlagLines(dir / "flags")).ok());
  }
  ASSERT_TRUE(cli::validate(parsed).ok());
  webhook::MutationSettings settings = cli::effectiveSettings(parsed);
  if (fs::exists(dir / "compose-role-arn.json")) {
    rapidjson::Document doc;
    ASSERT_TRUE(webhook::parseJson(doc, readTrimmed(dir / "compose-role-arn.json"), 10).ok());
    const std::string region(webhook::stringMember(doc, "region"));
    settings.composeRoleArn = webhook::RoleArnComposition{
        webhook::partitionForRegion(region), std::string(webhook::stringMember(doc, "account")), region};
  }

  auto pod = cli::loadPod((dir / "pod.yaml").string());
  ASSERT_TRUE(pod.ok()) << pod.error();
  auto expected = cli::loadPod((dir / "expected.yaml").string());
  ASSERT_TRUE(expected.ok()) << expected.error();

  cli::OfflineInputs in;
  in.pod.CopyFrom(*pod, in.pod.GetAllocator());
  in.ns = cli::requestNamespace(in.pod, fs::exists(dir / "namespace") ? readTrimmed(dir / "namespace") : "");
  if (fs::exists(dir / "operation")) in.operation = readTrimmed(dir / "operation");
  if (fs::exists(dir / "serviceaccount.yaml")) {
    auto sas =
        kube::ServiceAccountFile::load((dir / "serviceaccount.yaml").string(), settings.annotationPrefix);
    ASSERT_TRUE(sas.ok()) << sas.error();
    in.serviceAccounts = std::move(*sas);
  }
  if (fs::exists(dir / "configmap.yaml")) {
    std::vector<std::string> warnings;
    auto cm = cli::loadConfigMap((dir / "configmap.yaml").string(), warnings);
    ASSERT_TRUE(cm.ok()) << cm.error();
    in.configMap = std::move(*cm);
  }
  if (fs::exists(dir / "container-credentials.json")) {
    auto cc = kube::ContainerCredentialsFile::load((dir / "container-credentials.json").string());
    ASSERT_TRUE(cc.ok()) << cc.error();
    in.containerCredentials = std::move(cc->identities);
  }

  webhook::AdmissionPlanner planner(settings);
  LowestRandom random;
  auto result = cli::mutateOffline(in, planner, random);

  // What `serve` would warn about (and count): exactly the `warnings` lines.
  std::vector<std::string> warned;
  for (const auto& issue : result.issues)
    warned.push_back(issue.message);
  const std::vector<std::string> expectedWarnings =
      fs::exists(dir / "warnings") ? readLines(dir / "warnings") : std::vector<std::string>{};
  EXPECT_EQ(warned, expectedWarnings);

  // Apply the patch through its JSON text, exactly as the apiserver would.
  rapidjson::Document patch;
  ASSERT_TRUE(webhook::parseJson(patch, result.patch.toJson(), 100).ok());
  rapidjson::Document mutated;
  mutated.CopyFrom(*pod, mutated.GetAllocator());
  auto applied = webhook::applyJsonPatch(mutated, patch);
  ASSERT_TRUE(applied.ok()) << applied.error() << "\npatch: " << result.patch.toJson();

  normalize(mutated);
  normalize(*expected);
  EXPECT_TRUE(mutated == *expected) << "patch: " << result.patch.toJson() << "\n--- got:\n"
                                    << pretty(mutated) << "\n--- expected:\n"
                                    << pretty(*expected);

  rapidjson::Document original;
  original.CopyFrom(*pod, original.GetAllocator());
  normalize(original);
  if (original == *expected) {
    EXPECT_TRUE(result.patch.empty()) << "an unchanged pod must get no patch: " << result.patch.toJson();
  }

  // Idempotence: mutating the result again plans nothing.
  cli::OfflineInputs again;
  again.pod.CopyFrom(mutated, again.pod.GetAllocator());
  again.ns = in.ns;
  again.operation = in.operation;
  again.serviceAccounts = in.serviceAccounts;
  again.configMap = in.configMap;
  again.containerCredentials = in.containerCredentials;
  auto second = cli::mutateOffline(again, planner, random);
  EXPECT_TRUE(second.patch.empty()) << "second pass planned: " << second.patch.toJson();
}

INSTANTIATE_TEST_SUITE_P(Fixtures, MutationFixture, ::testing::ValuesIn(caseNames()), [](const auto& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
});

TEST(MutationFixtures, ThereAreEnoughCasesToCoverDesignRules) {
  EXPECT_GE(caseNames().size(), 30u);
}

}  // namespace
