#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "KubeFakeApiClient.hpp"
#include "kube/ConfigMapSource.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::kube {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;
using testing::drain;
using testing::eventJson;
using testing::FakeApiClient;
using testing::listJson;
using testing::runUntil;

constexpr const char* kNamespace = "irsa-system";
constexpr const char* kTwoEntries =
    R"({"apps/billing":{"RoleARN":"arn:aws:iam::111122223333:role/billing","Audience":"sts.example.com"},)"
    R"("*/shared":{"RoleARN":"arn:aws:iam::111122223333:role/shared","UseRegionalSTS":true}})";

// The ConfigMap object, with `config` as data.config (none when empty).
std::string configMap(const std::string& rv, const std::string& config) {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("ConfigMap");
  w.Key("metadata");
  w.StartObject();
  w.Key("name");
  w.String(kIdentityConfigMapName);
  w.Key("namespace");
  w.String(kNamespace);
  w.Key("resourceVersion");
  w.String(rv);
  w.EndObject();
  w.Key("data");
  w.StartObject();
  if (!config.empty()) {
    w.Key("config");
    w.String(config);
  }
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

class KubeConfigMapSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ReflectorOptions options;
    options.backoffMin = 5ms;
    options.backoffMax = 5ms;
    source_ = std::make_unique<ConfigMapSource>(
        io_.get_executor(), api_, kNamespace,
        [this](ConfigMapSource::Snapshot snapshot) { published_.push_back(std::move(snapshot)); }, options);
  }
  void TearDown() override {
    source_->stop();
    drain(io_);
  }

  void sync(const std::vector<std::string>& items) {
    source_->start();
    ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 1; }));
    ASSERT_TRUE(api_.respondNext(200, listJson(items, "100")));
    ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 1; }));
  }
  void push(const std::string& type, const std::string& object) {
    ASSERT_TRUE(api_.lastStream().push(eventJson(type, object)));
  }
  std::string roleFor(std::size_t snapshot, const char* ns, const char* name) const {
    const auto* entry = published_.at(snapshot)->find(ns, name);
    return entry ? entry->roleArn : "";
  }

  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_{io_.get_executor()};
  FakeApiClient api_{io_};
  std::vector<ConfigMapSource::Snapshot> published_;
  std::unique_ptr<ConfigMapSource> source_;
};

TEST_F(KubeConfigMapSourceTest, ListsAndWatchesOnlyTheWebhookConfigMapInItsNamespace) {
  sync({configMap("7", kTwoEntries)});
  EXPECT_EQ(api_.request(0).target,
            "/api/v1/namespaces/irsa-system/"
            "configmaps?fieldSelector=metadata.name%3Dpod-identity-webhook&limit=500");
  const std::string& watch = api_.stream(0).target;
  EXPECT_EQ(
      watch.rfind(
          "/api/v1/namespaces/irsa-system/configmaps?fieldSelector=metadata.name%3Dpod-identity-webhook&", 0),
      0u)
      << watch;
  EXPECT_NE(watch.find("&watch=1"), std::string::npos) << watch;
  EXPECT_NE(watch.find("&resourceVersion=100"), std::string::npos) << watch;
}

TEST_F(KubeConfigMapSourceTest, ListedConfigMapIsPublishedWithExactAndWildcardEntries) {
  EXPECT_FALSE(source_->ready());
  sync({configMap("7", kTwoEntries)});
  EXPECT_TRUE(source_->ready());
  ASSERT_EQ(published_.size(), 1u);
  ASSERT_NE(published_[0], nullptr);
  EXPECT_EQ(published_[0]->size(), 2u);
  const auto* billing = published_[0]->find("apps", "billing");
  ASSERT_NE(billing, nullptr);
  EXPECT_EQ(billing->roleArn, "arn:aws:iam::111122223333:role/billing");
  EXPECT_EQ(billing->audience, "sts.example.com");
  EXPECT_EQ(roleFor(0, "anywhere", "shared"), "arn:aws:iam::111122223333:role/shared");
  EXPECT_TRUE(published_[0]->find("anywhere", "shared")->useRegionalSts);
  EXPECT_EQ(published_[0]->find("other", "billing"), nullptr);
}

TEST_F(KubeConfigMapSourceTest, NoConfigMapPublishesAnEmptySnapshotAndIsReady) {
  sync({});
  ASSERT_EQ(published_.size(), 1u);
  ASSERT_NE(published_[0], nullptr);
  EXPECT_EQ(published_[0]->size(), 0u);
  EXPECT_TRUE(source_->ready());
}

TEST_F(KubeConfigMapSourceTest, ConfigMapWithoutConfigKeyPublishesAnEmptySnapshot) {
  sync({configMap("7", "")});
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]->size(), 0u);
}

TEST_F(KubeConfigMapSourceTest, ModifiedPublishesANewSnapshot) {
  sync({configMap("7", kTwoEntries)});
  push("MODIFIED",
       configMap("8", R"({"apps/billing":{"RoleARN":"arn:aws:iam::111122223333:role/billing-v2"}})"));
  ASSERT_TRUE(runUntil(io_, [&] { return published_.size() == 2; }));
  EXPECT_EQ(roleFor(1, "apps", "billing"), "arn:aws:iam::111122223333:role/billing-v2");
  EXPECT_EQ(published_[1]->find("x", "shared"), nullptr);
  EXPECT_EQ(roleFor(0, "apps", "billing"),
            "arn:aws:iam::111122223333:role/billing");  // snapshots are immutable
}

TEST_F(KubeConfigMapSourceTest, AddedAfterAnEmptyListPublishesItsEntries) {
  sync({});
  push("ADDED", configMap("8", kTwoEntries));
  ASSERT_TRUE(runUntil(io_, [&] { return published_.size() == 2; }));
  EXPECT_EQ(published_[1]->size(), 2u);
}

TEST_F(KubeConfigMapSourceTest, DeletedPublishesAnEmptySnapshot) {
  sync({configMap("7", kTwoEntries)});
  push("DELETED", configMap("9", kTwoEntries));
  ASSERT_TRUE(runUntil(io_, [&] { return published_.size() == 2; }));
  ASSERT_NE(published_[1], nullptr);
  EXPECT_EQ(published_[1]->size(), 0u);
}

TEST_F(KubeConfigMapSourceTest, InvalidEntriesAreSkippedAndValidOnesRemain) {
  sync({configMap("7", R"({"no-slash":{"RoleARN":"arn:aws:iam::1:role/a"},)"
                       R"("apps/no-role":{"Audience":"x"},)"
                       R"("apps/null":null,)"
                       R"("apps/good":{"roleArn":"arn:aws:iam::1:role/good"}})")});
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]->size(), 1u);
  EXPECT_EQ(roleFor(0, "apps", "good"), "arn:aws:iam::1:role/good");
  EXPECT_EQ(source_->configStats().invalid.load(), 0u);
  EXPECT_EQ(source_->configStats().lastLoadSucceeded.load(), 1);
}

TEST_F(KubeConfigMapSourceTest, InvalidConfigAtStartPublishesAnEmptySnapshotAndCountsIt) {
  sync({configMap("7", "[1, 2]")});
  ASSERT_EQ(published_.size(), 1u);
  ASSERT_NE(published_[0], nullptr);
  EXPECT_EQ(published_[0]->size(), 0u);
  EXPECT_TRUE(source_->ready());
  EXPECT_EQ(source_->configStats().invalid.load(), 1u);
  EXPECT_EQ(source_->configStats().lastLoadSucceeded.load(), 0);
}

TEST_F(KubeConfigMapSourceTest, InvalidEditKeepsTheLastGoodEntriesUntilAValidOne) {
  sync({configMap("7", kTwoEntries)});
  ASSERT_EQ(published_.size(), 1u);
  for (const char* bad :
       {R"({"apps/billing":{"RoleARN":"arn:aws:iam::1:role/x"},)", "not json",
        R"({"apps/billing":{"RoleARN":"arn:aws:iam::1:role/x","TokenExpiration":"3600"}})"}) {
    const auto before = source_->configStats().invalid.load();
    push("MODIFIED", configMap("8", bad));
    ASSERT_TRUE(runUntil(io_, [&] { return source_->configStats().invalid.load() == before + 1; })) << bad;
    EXPECT_EQ(source_->configStats().lastLoadSucceeded.load(), 0);
  }
  EXPECT_EQ(published_.size(), 1u);  // nothing replaced the good entries
  // A relist that still sees the bad config keeps them too.
  push("ERROR", R"({"kind":"Status","status":"Failure","reason":"Expired","code":410})");
  ASSERT_TRUE(runUntil(io_, [&] { return api_.getCount() == 2; }));
  ASSERT_TRUE(api_.respondNext(200, listJson({configMap("9", "{")}, "101")));
  ASSERT_TRUE(runUntil(io_, [&] { return source_->configStats().invalid.load() == 4; }));
  ASSERT_TRUE(runUntil(io_, [&] { return api_.watchCount() == 2; }));
  EXPECT_EQ(published_.size(), 1u);

  push("MODIFIED", configMap("10", R"({"apps/billing":{"RoleARN":"arn:aws:iam::1:role/new"}})"));
  ASSERT_TRUE(runUntil(io_, [&] { return published_.size() == 2; }));
  EXPECT_EQ(roleFor(1, "apps", "billing"), "arn:aws:iam::1:role/new");
  EXPECT_EQ(published_[1]->find("other", "shared"), nullptr);
  EXPECT_EQ(source_->configStats().lastLoadSucceeded.load(), 1);
}

TEST_F(KubeConfigMapSourceTest, DeletingAConfigMapWithAnInvalidConfigClearsTheEntries) {
  sync({configMap("7", kTwoEntries)});
  push("MODIFIED", configMap("8", "{"));
  ASSERT_TRUE(runUntil(io_, [&] { return source_->configStats().invalid.load() == 1; }));
  push("DELETED", configMap("9", "{"));
  ASSERT_TRUE(runUntil(io_, [&] { return published_.size() == 2; }));
  EXPECT_EQ(published_[1]->size(), 0u);
  EXPECT_EQ(source_->configStats().lastLoadSucceeded.load(), 1);
}

}  // namespace
}  // namespace irsa::kube
