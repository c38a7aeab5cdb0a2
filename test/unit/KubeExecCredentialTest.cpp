// kube/ExecCredential: the KUBERNETES_EXEC_INFO a plugin reads, the
// ExecCredential it prints, and RFC 3339 expiry times.

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>

#include "kube/ExecCredential.hpp"
#include "webhook/Base64.hpp"

namespace irsa::kube {
namespace {

using std::chrono::system_clock;

std::string credential(const std::string& status,
                       const std::string& version = "client.authentication.k8s.io/v1") {
  return R"({"kind":"ExecCredential","apiVersion":")" + version + R"(","status":)" + status + "}";
}

TEST(KubeExecCredential, ReadsTheTokenAndItsExpiry) {
  auto parsed = parseExecCredential(
      credential(R"({"token":"k8s-aws-v1.abc","expirationTimestamp":"2026-12-02T07:15:00Z"})"), kExecApiV1);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->token, "k8s-aws-v1.abc");
  ASSERT_TRUE(parsed->expiration.has_value());
  EXPECT_EQ(*parsed->expiration, parseRfc3339("2026-12-02T07:15:00Z"));

  auto beta = parseExecCredential(credential(R"({"token":"t"})", "client.authentication.k8s.io/v1beta1"),
                                  kExecApiV1beta1);
  ASSERT_TRUE(beta.ok()) << beta.error();
  EXPECT_FALSE(beta->expiration.has_value());
}

TEST(KubeExecCredential, BadOutputIsAnErrorSayingWhat) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not JSON"},
      {"[]", "not a JSON object"},
      {R"({"kind":"Status","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t"}})", "kind"},
      {credential(R"({"token":"t"})", "client.authentication.k8s.io/v1beta1"), "configured for"},
      {R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"})", "no status"},
      {credential("{}"), "no status.token"},
      {credential(R"({"token":"a\nb"})"), "line break"},
      {credential(R"({"token":"t","expirationTimestamp":"tomorrow"})"), "RFC 3339"},
      {credential(R"({"clientCertificateData":"c","clientKeyData":"k"})"), "client certificate"},
  };
  for (const auto& [output, message] : cases) {
    auto parsed = parseExecCredential(output, kExecApiV1);
    ASSERT_FALSE(parsed.ok()) << output;
    EXPECT_NE(parsed.error().find(message), std::string::npos) << parsed.error();
  }
}

TEST(KubeExecCredential, Rfc3339TimesWithFractionsAndOffsets) {
  const auto utc = parseRfc3339("2026-12-02T07:15:00Z");
  ASSERT_TRUE(utc.has_value());
  EXPECT_EQ(system_clock::to_time_t(*utc), 1796195700);
  EXPECT_EQ(parseRfc3339("2026-12-02T09:15:00+02:00"), utc);
  EXPECT_EQ(parseRfc3339("2026-12-02T02:45:00-04:30"), utc);
  EXPECT_EQ(*parseRfc3339("2026-12-02T07:15:00.25Z") - *utc, std::chrono::milliseconds(250));
  // Past the end of system_clock (2262): the latest time it can hold, not an overflow.
  EXPECT_EQ(parseRfc3339("9999-12-31T23:59:59Z"), system_clock::time_point::max());
  EXPECT_GT(*parseRfc3339("2999-01-01T00:00:00Z"), system_clock::now());
  for (const char* bad : {"", "2026-12-02", "2026-12-02 07:15:00Z", "2026-12-02T07:15:00",
                          "2026-02-30T00:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02T07:15:00.Z",
                          "2026-12-02T07:15:00+0200", "2026-12-02T07:15:00Zjunk"}) {
    EXPECT_FALSE(parseRfc3339(bad).has_value()) << bad;
  }
}

TEST(KubeExecCredential, ExecInfoCarriesTheClusterOnlyWhenAsked) {
  ExecCredentialConfig exec;
  exec.apiVersion = std::string(kExecApiV1);
  ClusterConfig cluster;
  cluster.host = "10.0.0.1";
  cluster.caPem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
  cluster.tlsServerName = "kubernetes.default";

  rapidjson::Document plain;
  plain.Parse(execInfoJson(exec, cluster, "https://10.0.0.1:443").c_str());
  ASSERT_TRUE(plain.IsObject());
  EXPECT_STREQ(plain["kind"].GetString(), "ExecCredential");
  EXPECT_STREQ(plain["apiVersion"].GetString(), "client.authentication.k8s.io/v1");
  EXPECT_FALSE(plain["spec"]["interactive"].GetBool());
  EXPECT_FALSE(plain["spec"].HasMember("cluster"));

  exec.provideClusterInfo = true;
  exec.clusterConfigJson = R"({"audience":"x"})";
  rapidjson::Document full;
  full.Parse(execInfoJson(exec, cluster, "https://10.0.0.1:443").c_str());
  ASSERT_TRUE(full.IsObject());
  const auto& c = full["spec"]["cluster"];
  EXPECT_STREQ(c["server"].GetString(), "https://10.0.0.1:443");
  EXPECT_STREQ(c["tls-server-name"].GetString(), "kubernetes.default");
  EXPECT_EQ(webhook::base64Decode(c["certificate-authority-data"].GetString()), cluster.caPem);
  EXPECT_STREQ(c["config"]["audience"].GetString(), "x");
  EXPECT_FALSE(c.HasMember("insecure-skip-tls-verify"));
}

}  // namespace
}  // namespace irsa::kube
