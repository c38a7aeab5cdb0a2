// The corpus generator: determinism, sizes, exact mix, valid reviews, files.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "bench/CorpusFiles.hpp"
#include "bench/CorpusGenerator.hpp"
#include "bench/PodWriter.hpp"
#include "bench/RequestCorpus.hpp"
#include "kube/ServiceAccountFile.hpp"
#include "test/support/TempDir.hpp"
#include "webhook/AdmissionReview.hpp"
#include "webhook/Json.hpp"
#include "yaml/YamlJson.hpp"

namespace irsa::bench {
namespace {

using testsupport::readFile;
using testsupport::TempDir;

std::vector<CorpusRequest> generate(std::size_t count, const std::string& size, const std::string& mix,
                                    std::uint64_t seed) {
  CorpusOptions options;
  options.outDir = "unused";
  options.count = count;
  options.size = size;
  options.mix = mix;
  options.seed = seed;
  EXPECT_TRUE(validate(options).ok());
  static const CorpusIdentities ids = CorpusIdentities::standard();
  return CorpusGenerator(options, ids).generate();
}

TEST(BenchCorpusTest, SameSeedSameBytesOtherSeedOtherBytes) {
  const auto a = generate(200, "mixed", "mutated=80,plain=15,configmap=5", 42);
  const auto b = generate(200, "mixed", "mutated=80,plain=15,configmap=5", 42);
  const auto c = generate(200, "mixed", "mutated=80,plain=15,configmap=5", 43);
  ASSERT_EQ(a.size(), 200u);
  for (std::size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(a[i].json, b[i].json) << i;
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    same += a[i].json == c[i].json;
  EXPECT_EQ(same, 0u);
}

TEST(BenchCorpusTest, SizesLandInTheirRanges) {
  struct Range {
    const char* size;
    std::size_t lo, hi;  // bytes of one AdmissionReview
  };
  for (const Range& r :
       {Range{"small", 1500, 3000}, Range{"medium", 6000, 9000}, Range{"large", 32000, 48000}}) {
    const auto requests = generate(300, r.size, "mutated=80,plain=15,configmap=5", 1);
    const CorpusSummary s = CorpusGenerator::summarize(requests);
    EXPECT_GE(s.minBytes, r.lo) << r.size;
    EXPECT_LE(s.maxBytes, r.hi) << r.size;
    for (const auto& q : requests)
      ASSERT_EQ(sizeName(q.size), r.size);
  }
  const CorpusSummary medium = CorpusGenerator::summarize(generate(300, "medium", "mutated=1", 1));
  EXPECT_NEAR(static_cast<double>(medium.medianBytes), 7500.0, 750.0) << "a typical production pod";
}

TEST(BenchCorpusTest, MixAndSizeMixAreExactShares) {
  const auto requests = generate(1000, "mixed", "mutated=80,plain=15,configmap=5", 9);
  const CorpusSummary s = CorpusGenerator::summarize(requests);
  EXPECT_EQ(s.kinds, (std::array<std::size_t, 3>{800, 150, 50}));
  EXPECT_EQ(s.sizes, (std::array<std::size_t, 3>{250, 650, 100}));
  const auto odd = CorpusGenerator::summarize(generate(7, "small", "mutated=1,plain=1,configmap=1", 9));
  EXPECT_EQ(odd.kinds[0] + odd.kinds[1] + odd.kinds[2], 7u);
  for (std::size_t k : odd.kinds)
    EXPECT_TRUE(k == 2 || k == 3);
  EXPECT_EQ(CorpusGenerator::summarize(generate(50, "large", "plain=1", 9)).kinds[1], 50u);
}

TEST(BenchCorpusTest, KindsAreShuffledNotBlocked) {
  const auto requests = generate(100, "small", "mutated=50,plain=50", 5);
  std::size_t runs = 1;
  for (std::size_t i = 1; i < requests.size(); ++i)
    runs += requests[i].kind != requests[i - 1].kind;
  EXPECT_GT(runs, 20u);
}

TEST(BenchCorpusTest, EveryRequestIsAPodCreateReviewWithAUniqueUidAndItsKind) {
  const auto requests = generate(400, "mixed", "mutated=60,plain=25,configmap=15", 11);
  const CorpusIdentities ids = CorpusIdentities::standard();
  std::set<std::string> uids;
  for (const auto& r : requests) {
    rapidjson::Document doc;
    ASSERT_TRUE(webhook::parseJson(doc, r.json, webhook::kDefaultMaxJsonDepth).ok()) << r.json;
    auto decoded = webhook::decodeAdmissionReview(doc);
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    EXPECT_EQ(decoded->apiVersion, "admission.k8s.io/v1");
    EXPECT_EQ(decoded->operation, "CREATE");
    EXPECT_TRUE(decoded->isPodCreate);
    EXPECT_EQ(decoded->uid, r.uid);
    EXPECT_TRUE(uids.insert(r.uid).second) << "duplicate uid " << r.uid;
    EXPECT_EQ(r.json.find('\n'), std::string::npos);
    // The pod's ServiceAccount exists in the identity set, with the pod's kind.
    const auto sa = std::find_if(
        ids.serviceAccounts().begin(), ids.serviceAccounts().end(),
        [&](const auto& s) { return s.ns == decoded->ns && s.name == decoded->serviceAccountName; });
    ASSERT_NE(sa, ids.serviceAccounts().end()) << decoded->ns << "/" << decoded->serviceAccountName;
    EXPECT_EQ(sa->kind, r.kind);
    const rapidjson::Value* annotations =
        webhook::objectMember(*webhook::objectMember(*decoded->pod, "metadata"), "annotations");
    ASSERT_NE(annotations, nullptr);
    EXPECT_EQ(webhook::stringMember(*annotations, kKindAnnotation), kindName(r.kind));
  }
}

TEST(BenchCorpusTest, OptionsAreValidated) {
  EXPECT_EQ(parseMix("mutated=80,plain=15,configmap=5").value(), (Weights{80, 15, 5}));
  EXPECT_EQ(parseMix("configmap=1").value(), (Weights{0, 0, 1}));
  for (const char* bad : {"", "mutated", "mutated=x", "mutated=-1", "other=5", "mutated=1,mutated=2",
                          "mutated=0,plain=0", "mutated=1.5"}) {
    EXPECT_FALSE(parseMix(bad).ok()) << bad;
  }
  EXPECT_FALSE(parseSize("huge").ok());
  EXPECT_EQ(parseSize("large").value(), (Weights{0, 0, 1}));
  CorpusOptions noOut;
  EXPECT_FALSE(validate(noOut).ok());
  CorpusOptions zero;
  zero.outDir = "x";
  zero.count = 0;
  EXPECT_FALSE(validate(zero).ok());
  EXPECT_EQ(apportion({1, 1, 1}, 10), (std::array<std::size_t, 3>{4, 3, 3}));
  EXPECT_EQ(apportion({80, 15, 5}, 3), (std::array<std::size_t, 3>{2, 1, 0}))
      << "2.4, 0.45, 0.15: largest remainder";
  EXPECT_EQ(apportion({80, 15, 5}, 1000), (std::array<std::size_t, 3>{800, 150, 50}));
}

TEST(BenchCorpusTest, FilesAreWrittenAndByteStable) {
  TempDir dir;
  CorpusOptions options;
  options.count = 60;
  options.size = "mixed";
  options.seed = 5;
  const CorpusIdentities ids = CorpusIdentities::standard();
  for (const char* out : {"a", "b"}) {
    options.outDir = dir.file(out);
    ASSERT_TRUE(validate(options).ok());
    ASSERT_TRUE(CorpusFiles::write(options, ids, CorpusGenerator(options, ids).generate()).ok());
  }
  for (const char* name :
       {kRequestsFile, kServiceAccountsFile, kConfigMapFile, kClusterFile, kCorpusSummaryFile}) {
    const std::string a = readFile(dir.path() / "a" / name);
    EXPECT_FALSE(a.empty()) << name;
    EXPECT_EQ(a, readFile(dir.path() / "b" / name)) << name;
  }
  const std::string jsonl = readFile(dir.path() / "a" / kRequestsFile);
  EXPECT_EQ(std::count(jsonl.begin(), jsonl.end(), '\n'), 60);

  rapidjson::Document summary;
  ASSERT_TRUE(webhook::parseJson(summary, readFile(dir.path() / "a" / kCorpusSummaryFile), 10).ok());
  EXPECT_EQ(summary["schemaVersion"].GetInt(), 1);
  EXPECT_EQ(summary["seed"].GetUint64(), 5u);
  EXPECT_EQ(summary["count"].GetUint64(), 60u);
  EXPECT_EQ(summary["kinds"]["mutated"].GetUint64(), 48u);
  EXPECT_EQ(summary["expectedMutated"]["serviceAccountsFile"].GetUint64(), 48u);
  EXPECT_EQ(summary["expectedMutated"]["withConfigMap"].GetUint64(), 51u);
  EXPECT_LE(summary["requestBytes"]["min"].GetUint64(), summary["requestBytes"]["median"].GetUint64());
  EXPECT_LE(summary["requestBytes"]["median"].GetUint64(), summary["requestBytes"]["max"].GetUint64());
}

TEST(BenchCorpusTest, ServiceAccountsFileLoadsWithTheAnnotatedOnesAnnotated) {
  TempDir dir;
  const CorpusIdentities ids = CorpusIdentities::standard();
  const std::string path = dir.file("sa.yaml");
  testsupport::writeFileInPlace(path, CorpusFiles::serviceAccountsYaml(ids));
  auto loaded = kube::ServiceAccountFile::load(path, "eks.amazonaws.com");
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), ids.serviceAccounts().size());
  std::size_t withRole = 0;
  for (const auto& sa : *loaded)
    withRole += sa.annotation("eks.amazonaws.com/role-arn").has_value();
  EXPECT_EQ(withRole, 32u) << "4 annotated per namespace, 8 namespaces";
}

TEST(BenchCorpusTest, ClusterManifestHoldsNamespacesServiceAccountsAndTheConfigMap) {
  const CorpusIdentities ids = CorpusIdentities::standard();
  auto docs = yaml::YamlJson::parseAll(CorpusFiles::clusterYaml(ids));
  ASSERT_TRUE(docs.ok()) << docs.error();
  std::map<std::string, int> kinds;
  for (const auto& d : *docs)
    ++kinds[std::string(webhook::stringMember(d, "kind"))];
  EXPECT_EQ(kinds["Namespace"], 9) << "8 and eks";
  EXPECT_EQ(kinds["ServiceAccount"], 64);
  EXPECT_EQ(kinds["ConfigMap"], 1);
  const auto& cm = docs->back();
  EXPECT_EQ(webhook::stringMember(cm["metadata"], "name"), "pod-identity-webhook");
  EXPECT_EQ(webhook::stringMember(cm["metadata"], "namespace"), "eks");
  rapidjson::Document config;
  ASSERT_TRUE(webhook::parseJson(config, webhook::stringMember(cm["data"], "config"), 10).ok());
  EXPECT_TRUE(config.HasMember("payments/legacy-batch"));
  EXPECT_TRUE(config.HasMember("*/shared-reader"));
}

// A hand-written requests.jsonl that does not load names the file and the line.
TEST(BenchCorpusTest, ARequestsFileThatDoesNotLoadNamesItsFileAndLine) {
  TempDir dir;
  const std::string path = dir.file(kRequestsFile);
  const auto url = TargetUrl::parse("https://127.0.0.1:8443/mutate");
  ASSERT_TRUE(url.ok()) << url.error();

  testsupport::writeFileInPlace(path, "\n{\"request\":{}}\n");
  auto noUid = RequestCorpus::load(dir.path().string(), *url, false);
  ASSERT_FALSE(noUid.ok());
  EXPECT_EQ(noUid.error(), path + ":2: not an AdmissionReview with request.uid");

  testsupport::writeFileInPlace(path, "{\"request\":{\"uid\":\"a\"}}\n{not json\n");
  auto notJson = RequestCorpus::load(dir.path().string(), *url, false);
  ASSERT_FALSE(notJson.ok());
  EXPECT_EQ(notJson.error().rfind(path + ":2: ", 0), 0u) << notJson.error();
  EXPECT_GT(notJson.error().size(), path.size() + 4) << notJson.error();
}

}  // namespace
}  // namespace irsa::bench
