// Every kind of generated pod, through the offline `irsa-webhook mutate`:
// a patch exactly for the annotated kind, and for the ConfigMap kind too
// once the generated ConfigMap is given.
#include <gtest/gtest.h>

#include "bench/CorpusFiles.hpp"
#include "bench/CorpusGenerator.hpp"
#include "bench/test/BenchBinary.hpp"
#include "test/support/TempDir.hpp"
#include "webhook/Json.hpp"

namespace irsa::bench {
namespace {

using testsupport::TempDir;

class BenchCorpusMutateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.outDir = dir_.file("corpus");
    options_.count = 24;
    options_.size = "mixed";
    options_.mix = "mutated=40,plain=30,configmap=30";
    options_.seed = 17;
    ASSERT_TRUE(validate(options_).ok());
    requests_ = CorpusGenerator(options_, ids_).generate();
    ASSERT_TRUE(CorpusFiles::write(options_, ids_, requests_).ok());
  }

  // The patch `mutate` prints for request `i`, with extra flags.
  std::string mutate(std::size_t i, const std::vector<std::string>& extra) {
    rapidjson::Document review;
    EXPECT_TRUE(webhook::parseJson(review, requests_[i].json, 100).ok());
    const rapidjson::Value& request = review["request"];
    const std::string pod = dir_.file("pod-" + std::to_string(i) + ".json");
    testsupport::writeFileInPlace(pod, webhook::toJson(request["object"]));
    std::vector<std::string> args = {"mutate",
                                     "--pod",
                                     pod,
                                     "--namespace",
                                     std::string(webhook::stringMember(request, "namespace")),
                                     "--service-account",
                                     (dir_.path() / "corpus" / kServiceAccountsFile).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = testsupport::runBinary(args, dir_.path());
    EXPECT_TRUE(r.status.exited && r.status.code == 0) << r.err;
    EXPECT_EQ(r.err.find("no ServiceAccount"), std::string::npos)
        << "every pod's ServiceAccount is in the file";
    return r.out;
  }

  TempDir dir_;
  CorpusOptions options_;
  const CorpusIdentities ids_ = CorpusIdentities::standard();
  std::vector<CorpusRequest> requests_;
};

TEST_F(BenchCorpusMutateTest, OnlyAnnotatedKindIsMutatedFromTheServiceAccountsFile) {
  std::array<std::size_t, 3> seen{};
  for (std::size_t i = 0; i < requests_.size(); ++i) {
    const std::string patch = mutate(i, {});
    const bool patched = patch.find("AWS_ROLE_ARN") != std::string::npos;
    EXPECT_EQ(patched, requests_[i].kind == PodKind::kMutated)
        << kindName(requests_[i].kind) << ": " << patch;
    if (!patched) {
      EXPECT_EQ(patch, "[]\n");
    }
    ++seen[static_cast<std::size_t>(requests_[i].kind)];
  }
  for (std::size_t n : seen)
    EXPECT_GT(n, 0u) << "every kind was tried";
}

TEST_F(BenchCorpusMutateTest, ConfigMapKindIsMutatedWithTheConfigMap) {
  const std::string configMap = (dir_.path() / "corpus" / kConfigMapFile).string();
  for (std::size_t i = 0; i < requests_.size(); ++i) {
    const std::string patch = mutate(i, {"--config-map", configMap});
    const bool patched = patch.find("AWS_ROLE_ARN") != std::string::npos;
    EXPECT_EQ(patched, requests_[i].kind != PodKind::kPlain) << kindName(requests_[i].kind) << ": " << patch;
  }
}

}  // namespace
}  // namespace irsa::bench
