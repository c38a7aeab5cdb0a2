// irsa_webhook_admission_duration_seconds: cumulative buckets in seconds,
// each observation in the first bucket whose bound it does not exceed.
#include <gtest/gtest.h>

#include <string>

#include "server/Metrics.hpp"

namespace irsa::server {
namespace {

std::string line(const std::string& text, const std::string& prefix) {
  const auto at = text.find("\n" + prefix);
  if (at == std::string::npos) return "";
  const auto end = text.find('\n', at + 1);
  return text.substr(at + 1, end - at - 1);
}

TEST(ServerMetricsHistogramTest, AdmissionLatenciesLandInCumulativeSecondBuckets) {
  Metrics metrics;
  metrics.observeAdmission(30);    // <= 50 us
  metrics.observeAdmission(50);    // on a bound: that bucket
  metrics.observeAdmission(400);   // <= 500 us
  metrics.observeAdmission(1500);  // <= 2 ms
  metrics.observeAdmission(20e6);  // past 10 s: +Inf only
  const std::string text = metrics.render();
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_bucket{le=\"5e-05\"}"),
            "irsa_webhook_admission_duration_seconds_bucket{le=\"5e-05\"} 2")
      << text;
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_bucket{le=\"0.00025\"}"),
            "irsa_webhook_admission_duration_seconds_bucket{le=\"0.00025\"} 2");
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_bucket{le=\"0.0005\"}"),
            "irsa_webhook_admission_duration_seconds_bucket{le=\"0.0005\"} 3");
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_bucket{le=\"0.002\"}"),
            "irsa_webhook_admission_duration_seconds_bucket{le=\"0.002\"} 4");
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_bucket{le=\"10\"}"),
            "irsa_webhook_admission_duration_seconds_bucket{le=\"10\"} 4");
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_bucket{le=\"+Inf\"}"),
            "irsa_webhook_admission_duration_seconds_bucket{le=\"+Inf\"} 5");
  EXPECT_EQ(line(text, "irsa_webhook_admission_duration_seconds_count"),
            "irsa_webhook_admission_duration_seconds_count 5");
  const std::string sum = line(text, "irsa_webhook_admission_duration_seconds_sum ");
  ASSERT_FALSE(sum.empty()) << text;
  EXPECT_NEAR(std::stod(sum.substr(sum.rfind(' ') + 1)), 20.00198, 1e-9) << text;
}

}  // namespace
}  // namespace irsa::server
