#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "kube/StaticServiceAccountSource.hpp"

namespace irsa::kube {
namespace {

std::string serviceAccount(const std::string& ns, const std::string& name, const std::string& roleArn) {
  std::string doc =
      "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n";
  if (!roleArn.empty()) doc += "  annotations:\n    eks.amazonaws.com/role-arn: " + roleArn + "\n";
  return doc;
}

class StaticSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/irsa-static-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/serviceaccounts.yaml";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Replaces the file atomically, as a ConfigMap mount or an editor would.
  void write(const std::string& text) {
    const std::string tmp = path_ + ".tmp";
    std::ofstream(tmp, std::ios::binary) << text;
    std::filesystem::rename(tmp, path_);
  }

  std::unique_ptr<StaticServiceAccountSource> create(const std::string& prefix = "eks.amazonaws.com") {
    auto source = StaticServiceAccountSource::create(path_, prefix);
    EXPECT_TRUE(source.ok()) << source.error();
    return source.ok() ? std::move(*source) : nullptr;
  }

  static std::string roleArn(const ServiceAccountLookup::Ptr& sa) {
    const auto arn = sa ? sa->annotation("eks.amazonaws.com/role-arn") : std::nullopt;
    return std::string(arn.value_or(""));
  }

  std::string dir_;
  std::string path_;
};

TEST_F(StaticSourceTest, CreateFailsWhenTheFirstLoadFails) {
  auto missing = StaticServiceAccountSource::create(path_, "eks.amazonaws.com");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "read " + path_ + ": No such file or directory");

  write("apiVersion: v1\nkind: Secret\n");
  auto wrongKind = StaticServiceAccountSource::create(path_, "eks.amazonaws.com");
  ASSERT_FALSE(wrongKind.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "kind \"Secret\"", wrongKind.error());
}

TEST_F(StaticSourceTest, FindsByNamespaceAndName) {
  write(serviceAccount("default", "s3-reader", "arn:aws:iam::1:role/a") +
        serviceAccount("other", "s3-reader", "arn:aws:iam::1:role/b") +
        serviceAccount("default", "plain", ""));
  auto source = create();
  ASSERT_NE(source, nullptr);
  EXPECT_TRUE(source->ready());
  EXPECT_EQ(source->size(), 3u);
  EXPECT_EQ(source->path(), path_);

  const auto hit = source->find("default", "s3-reader");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->ns(), "default");
  EXPECT_EQ(hit->name(), "s3-reader");
  EXPECT_EQ(roleArn(hit), "arn:aws:iam::1:role/a");
  EXPECT_EQ(roleArn(source->find("other", "s3-reader")), "arn:aws:iam::1:role/b");
  EXPECT_NE(source->find("default", "plain"), nullptr);

  EXPECT_EQ(source->find("default", "missing"), nullptr);
  EXPECT_EQ(source->find("missing", "s3-reader"), nullptr);
  EXPECT_EQ(source->find("", ""), nullptr);
}

TEST_F(StaticSourceTest, LookupAnswersBeforeReturning) {
  write(serviceAccount("default", "a", "arn:aws:iam::1:role/a"));
  auto source = create();
  ASSERT_NE(source, nullptr);
  const auto later = std::chrono::steady_clock::now() + std::chrono::hours(1);

  int calls = 0;
  ServiceAccountLookup::Ptr found;
  source->lookup("default", "a", later, [&](ServiceAccountLookup::Ptr sa) {
    ++calls;
    found = std::move(sa);
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(roleArn(found), "arn:aws:iam::1:role/a");

  bool missed = false;
  source->lookup("default", "b", later, [&](ServiceAccountLookup::Ptr sa) { missed = sa == nullptr; });
  EXPECT_TRUE(missed);
}

TEST_F(StaticSourceTest, ReloadSwapsTheSnapshot) {
  write(serviceAccount("default", "a", "arn:aws:iam::1:role/old"));
  auto source = create();
  ASSERT_NE(source, nullptr);
  const auto before = source->find("default", "a");

  write(serviceAccount("default", "a", "arn:aws:iam::1:role/new") + serviceAccount("default", "b", ""));
  ::testing::internal::CaptureStderr();
  const bool reloaded = source->reload();
  const std::string log = ::testing::internal::GetCapturedStderr();

  EXPECT_TRUE(reloaded);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "] ServiceAccounts file reloaded", log);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "count=2", log);
  EXPECT_EQ(source->size(), 2u);
  EXPECT_EQ(roleArn(source->find("default", "a")), "arn:aws:iam::1:role/new");
  EXPECT_NE(source->find("default", "b"), nullptr);
  // What a request already holds stays valid and unchanged.
  EXPECT_EQ(roleArn(before), "arn:aws:iam::1:role/old");

  write("");
  EXPECT_TRUE(source->reload());
  EXPECT_EQ(source->size(), 0u);
  EXPECT_EQ(source->find("default", "a"), nullptr);
}

TEST_F(StaticSourceTest, FailedReloadKeepsTheOldDataAndReturnsFalse) {
  write(serviceAccount("default", "a", "arn:aws:iam::1:role/a"));
  auto source = create();
  ASSERT_NE(source, nullptr);

  write("kind: ServiceAccount\nmetadata: [unclosed\n");
  ::testing::internal::CaptureStderr();
  const bool reloaded = source->reload();
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(reloaded);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring,
                      "] ServiceAccounts file not reloaded, keeping the last good one", log);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "invalid YAML", log);
  EXPECT_TRUE(source->ready());
  EXPECT_EQ(source->size(), 1u);
  EXPECT_EQ(roleArn(source->find("default", "a")), "arn:aws:iam::1:role/a");

  std::filesystem::remove(path_);
  EXPECT_FALSE(source->reload());
  EXPECT_EQ(roleArn(source->find("default", "a")), "arn:aws:iam::1:role/a");
}

TEST_F(StaticSourceTest, AnnotatedCountCountsRoleArnUnderThePrefix) {
  write(serviceAccount("default", "a", "arn:aws:iam::1:role/a") + serviceAccount("default", "b", "arn:b") +
        serviceAccount("default", "c", "") +
        "---\nkind: ServiceAccount\nmetadata:\n  name: d\n  annotations:\n"
        "    example.com/role-arn: arn:d\n    eks.amazonaws.com/audience: x\n");
  auto eks = create();
  ASSERT_NE(eks, nullptr);
  EXPECT_EQ(eks->size(), 4u);
  EXPECT_EQ(eks->annotatedCount(), 2u);

  auto custom = create("example.com");
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(custom->annotatedCount(), 1u);

  write(serviceAccount("default", "a", ""));
  ASSERT_TRUE(eks->reload());
  EXPECT_EQ(eks->annotatedCount(), 0u);
}

TEST_F(StaticSourceTest, ReadersNeverSeeAHalfSwappedSnapshot) {
  const auto file = [](const std::string& arn) {
    std::string text;
    for (int i = 0; i < 50; ++i) {
      text += serviceAccount("ns", "sa" + std::to_string(i), arn);
    }
    return text;
  };
  write(file("arn:old"));
  auto source = create();
  ASSERT_NE(source, nullptr);

  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        for (int i = 0; i < 50; ++i) {
          const std::string arn = roleArn(source->find("ns", "sa" + std::to_string(i)));
          if (arn != "arn:old" && arn != "arn:new") ++bad;
        }
      }
    });
  }
  ::testing::internal::CaptureStderr();
  for (int round = 0; round < 20; ++round) {
    write(file(round % 2 ? "arn:old" : "arn:new"));
    EXPECT_TRUE(source->reload());
  }
  ::testing::internal::GetCapturedStderr();
  stop = true;
  for (auto& r : readers) {
    r.join();
  }
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace irsa::kube
