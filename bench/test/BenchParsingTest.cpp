// The small parsers of the load side: URL, response check, /proc samples.
#include <gtest/gtest.h>
#include <unistd.h>

#include "bench/AdmissionResponseCheck.hpp"
#include "bench/ProcessStats.hpp"
#include "bench/TargetUrl.hpp"

namespace irsa::bench {
namespace {

TEST(BenchTargetUrlTest, ParsesHostPortAndTarget) {
  auto u = TargetUrl::parse("https://127.0.0.1:8443/mutate?timeout=10s");
  ASSERT_TRUE(u.ok()) << u.error();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->target, "/mutate?timeout=10s");
  EXPECT_TRUE(u->hostIsIp);
  EXPECT_EQ(u->hostHeader(), "127.0.0.1:8443");

  auto v6 = TargetUrl::parse("https://[::1]:9443");
  ASSERT_TRUE(v6.ok()) << v6.error();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->target, "/");
  EXPECT_EQ(v6->hostHeader(), "[::1]:9443");

  auto named = TargetUrl::parse("https://webhook.example.com/mutate");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->port, "443");
  EXPECT_FALSE(named->hostIsIp);
  EXPECT_EQ(named->hostHeader(), "webhook.example.com");
}

TEST(BenchTargetUrlTest, RefusesWhatItCannotUse) {
  for (const char* bad :
       {"http://127.0.0.1:8443/mutate", "127.0.0.1:8443", "https://", "https://:8443/", "https://host:0/",
        "https://host:70000/", "https://host:x/", "https://[::1/", "https://user@host/"}) {
    EXPECT_FALSE(TargetUrl::parse(bad).ok()) << bad;
  }
}

std::string review(const std::string& response) {
  return R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":)" + response + "}";
}

TEST(BenchResponseCheckTest, AcceptsAllowedReviewsEchoingTheUid) {
  AdmissionResponseCheck check;
  std::string plain = review(R"({"uid":"u-1","allowed":true})");
  auto v = check.check(plain, "u-1");
  EXPECT_TRUE(v.valid);
  EXPECT_FALSE(v.mutated);
  std::string patched = review(
      R"({"uid":"u-2","allowed":true,"patchType":"JSONPatch","patch":"W10=","status":{"x":[1,{"uid":"no"}]}})");
  v = check.check(patched, "u-2");
  EXPECT_TRUE(v.valid);
  EXPECT_TRUE(v.mutated);
  std::string beta =
      R"({"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1beta1","response":{"allowed":true,"uid":"b"}})";
  EXPECT_TRUE(check.check(beta, "b").valid);
}

TEST(BenchResponseCheckTest, RejectsEverythingElse) {
  AdmissionResponseCheck check;
  const std::vector<std::string> bad = {
      review(R"({"uid":"other","allowed":true})"),
      review(R"({"uid":"u","allowed":false})"),
      review(R"({"uid":"u"})"),
      review(R"({"allowed":true})"),
      review(R"({"uid":"u","allowed":"true"})"),
      R"({"apiVersion":"v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"Status","response":{"uid":"u","allowed":true}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","allowed":true}})",
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u","allowed":true})",
      R"([{"uid":"u","allowed":true}])",
      "",
      "not json",
  };
  for (std::string body : bad) {
    const std::string shown = body;
    EXPECT_FALSE(check.check(body, "u").valid) << shown;
  }
}

TEST(BenchProcessStatsTest, ReadsCpuTimeAfterTheCommandName) {
  // Fields 14 and 15 are utime and stime; the name may hold ") (".
  const std::string stat =
      "1234 (weird) (name) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 3 0 100 1000 200 "
      "18446744073709551615";
  auto cpu = cpuSecondsFromStat(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.error();
  EXPECT_DOUBLE_EQ(*cpu, 4.0);
  EXPECT_FALSE(cpuSecondsFromStat("garbage", 100).ok());
  EXPECT_FALSE(cpuSecondsFromStat("1 (x) S 1 2", 100).ok());
}

TEST(BenchProcessStatsTest, ReadsMemoryLinesInBytes) {
  const std::string status = "Name:\tx\nVmHWM:\t   2048 kB\nVmRSS:\t    1024 kB\n";
  EXPECT_EQ(statusBytes(status, "VmRSS"), 1024u * 1024u);
  EXPECT_EQ(statusBytes(status, "VmHWM"), 2048u * 1024u);
  EXPECT_EQ(statusBytes(status, "VmSwap"), 0u);
}

TEST(BenchProcessStatsTest, SamplesALiveProcessAndRefusesAMissingOne) {
  auto self = sampleProcess(static_cast<int>(::getpid()));
  ASSERT_TRUE(self.ok()) << self.error();
  EXPECT_GT(self->rssBytes, 0u);
  EXPECT_GE(self->hwmBytes, self->rssBytes);
  EXPECT_FALSE(sampleProcess(0x7ffffff0).ok());
}

}  // namespace
}  // namespace irsa::bench
