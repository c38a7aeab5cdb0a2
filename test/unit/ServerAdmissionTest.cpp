// Integration: the real `irsa-webhook serve` answering AdmissionReviews,
// health checks and metrics over real TLS on 127.0.0.1.
#include <gtest/gtest.h>

#include <chrono>

#include "test/support/TestServer.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"

namespace irsa::testsupport {
namespace {

using namespace std::chrono_literals;

// What the webhook must add to podJson("annotated") (one container, no env,
// no volumes): the token volume, the two env vars and the mount.
constexpr const char* kExpectedWebIdentityPatch = R"([
  {"op":"add","path":"/spec/volumes","value":[{"name":"aws-iam-token","projected":{"sources":[
    {"serviceAccountToken":{"audience":"sts.amazonaws.com","expirationSeconds":86400,"path":"token"}}]}}]},
  {"op":"add","path":"/spec/containers/0/env","value":[
    {"name":"AWS_ROLE_ARN","value":"arn:aws:iam::111122223333:role/annotated-role"},
    {"name":"AWS_WEB_IDENTITY_TOKEN_FILE","value":"/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}]},
  {"op":"add","path":"/spec/containers/0/volumeMounts","value":[
    {"name":"aws-iam-token","readOnly":true,"mountPath":"/var/run/secrets/eks.amazonaws.com/serviceaccount"}]}
])";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  auto status = webhook::parseJson(doc, text, 200);
  EXPECT_TRUE(status.ok()) << status.error() << " in: " << text;
  return doc;
}

std::string str(const rapidjson::Value& object, const char* name) {
  return std::string(webhook::stringMember(object, name));
}

// The `response` of a 200 AdmissionReview answer, checked for the envelope.
const rapidjson::Value* admissionResponse(const Reply& reply, const rapidjson::Document& doc,
                                          const std::string& apiVersion, const std::string& uid) {
  EXPECT_FALSE(reply.ec) << reply.ec.message();
  EXPECT_EQ(reply.response.result(), http::status::ok) << reply.response.body();
  EXPECT_EQ(reply.response[http::field::content_type], "application/json");
  if (!doc.IsObject()) return nullptr;
  EXPECT_EQ(str(doc, "apiVersion"), apiVersion);
  EXPECT_EQ(str(doc, "kind"), "AdmissionReview");
  const rapidjson::Value* response = webhook::objectMember(doc, "response");
  if (!response) {
    ADD_FAILURE() << "no response in " << reply.response.body();
    return nullptr;
  }
  EXPECT_EQ(str(*response, "uid"), uid);
  const rapidjson::Value* allowed = webhook::member(*response, "allowed");
  EXPECT_TRUE(allowed && allowed->IsBool() && allowed->GetBool()) << reply.response.body();
  return response;
}

class ServerAdmissionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = TestServer::start(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_) << "the shared server did not start"; }

  // A review of podJson(podSa) is answered "allowed" with no patch at all.
  static void expectNoPatch(const std::string& podSa, const std::string& operation) {
    const std::string uid = "uid-" + podSa + "-" + operation;
    Reply reply = server_->request(
        mutateRequest(admissionReview("admission.k8s.io/v1", uid, podJson(podSa), operation)));
    auto doc = parse(reply.response.body());
    const rapidjson::Value* response = admissionResponse(reply, doc, "admission.k8s.io/v1", uid);
    ASSERT_NE(response, nullptr);
    EXPECT_EQ(webhook::member(*response, "patch"), nullptr) << reply.response.body();
    EXPECT_EQ(webhook::member(*response, "patchType"), nullptr) << reply.response.body();
  }

  static std::unique_ptr<TestServer> server_;
};

std::unique_ptr<TestServer> ServerAdmissionTest::server_;

class ServerAdmissionVersionTest : public ServerAdmissionTest,
                                   public ::testing::WithParamInterface<const char*> {};

TEST_P(ServerAdmissionVersionTest, AnnotatedServiceAccountGetsWebIdentityPatchInTheRequestsApiVersion) {
  const std::string apiVersion = GetParam();
  const std::string uid = "705ab4f5-6393-11e8-b7cc-42010a800002";
  Reply reply = server_->request(mutateRequest(admissionReview(apiVersion, uid, podJson("annotated"))));
  auto doc = parse(reply.response.body());
  const rapidjson::Value* response = admissionResponse(reply, doc, apiVersion, uid);
  ASSERT_NE(response, nullptr);
  EXPECT_EQ(str(*response, "patchType"), "JSONPatch");
  const auto decoded = webhook::base64Decode(str(*response, "patch"));
  ASSERT_TRUE(decoded) << "patch is not base64: " << reply.response.body();
  auto patch = parse(*decoded);
  auto expected = parse(kExpectedWebIdentityPatch);
  EXPECT_TRUE(patch == expected) << "patch: " << *decoded;
}

INSTANTIATE_TEST_SUITE_P(ServerApiVersions, ServerAdmissionVersionTest,
                         ::testing::Values("admission.k8s.io/v1", "admission.k8s.io/v1beta1"),
                         [](const auto& info) {
                           return std::string(info.param) == "admission.k8s.io/v1" ? "V1" : "V1beta1";
                         });

TEST_F(ServerAdmissionTest, UnannotatedServiceAccountIsAllowedWithoutPatch) {
  expectNoPatch("plain", "CREATE");
}

TEST_F(ServerAdmissionTest, MissingServiceAccountIsAllowedWithoutPatch) {
  expectNoPatch("ghost", "CREATE");
}

TEST_F(ServerAdmissionTest, PodWithoutServiceAccountNameUsesMissingDefaultAndIsNotPatched) {
  expectNoPatch("", "CREATE");
}

TEST_F(ServerAdmissionTest, UpdateOfPodWithAnnotatedServiceAccountIsAllowedWithoutPatch) {
  expectNoPatch("annotated", "UPDATE");
}

TEST_F(ServerAdmissionTest, ThreeRequestsOnOneKeepAliveConnectionAreAllAnswered) {
  auto client = server_->connect();
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    const std::string uid = "keep-alive-" + std::to_string(i);
    Reply reply = client->exchange(
        mutateRequest(admissionReview("admission.k8s.io/v1", uid, podJson(i == 1 ? "plain" : "annotated"))));
    ASSERT_FALSE(reply.ec) << "request " << i << ": " << reply.ec.message();
    EXPECT_EQ(reply.response.result(), http::status::ok);
    EXPECT_TRUE(reply.response.keep_alive()) << "request " << i;
    auto doc = parse(reply.response.body());
    ASSERT_NE(admissionResponse(reply, doc, "admission.k8s.io/v1", uid), nullptr);
  }
}

TEST_F(ServerAdmissionTest, HealthAndReadinessAnswerOkOnTheTlsPort) {
  auto client = server_->connect();
  ASSERT_TRUE(client);
  for (const char* path : {"/healthz", "/readyz"}) {
    Reply reply = client->exchange(makeRequest(http::verb::get, path));
    ASSERT_FALSE(reply.ec) << path << ": " << reply.ec.message();
    EXPECT_EQ(reply.response.result(), http::status::ok) << path << ": " << reply.response.body();
  }
}

TEST(ServerMetricsTest, MetricsPortServesReferenceAndOwnMetricsInPlainHttp) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  Reply mutated =
      server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "m-1", podJson("annotated"))));
  ASSERT_FALSE(mutated.ec);
  Reply missing =
      server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "m-2", podJson("ghost"))));
  ASSERT_FALSE(missing.ec);

  // The request counter is updated after the response is written: poll.
  const std::string requestSeries = R"(http_request_count{code="200",path="/mutate",verb="POST"})";
  const std::string metrics = server->scrapeMetricsUntil(
      [&](const std::string& m) { return metricValue(m, requestSeries).value_or(0) >= 2; });

  EXPECT_EQ(metricValue(metrics, requestSeries), 2.0) << metrics;
  EXPECT_EQ(metricValue(metrics, R"(pod_identity_webhook_pod_count{method="sts_web_identity"})"), 1.0)
      << metrics;
  EXPECT_EQ(metricValue(metrics, "pod_identity_webhook_missing_sa_count"), 1.0) << metrics;
  EXPECT_EQ(metricValue(metrics, "pod_identity_webhook_used"), 1.0) << metrics;
  // The fine-grained admission histogram counts both /mutate requests (and
  // only those: the metrics scrapes above are on another port).
  EXPECT_EQ(metricValue(metrics, "irsa_webhook_admission_duration_seconds_count"), 2.0) << metrics;
  EXPECT_EQ(metricValue(metrics, R"(irsa_webhook_admission_duration_seconds_bucket{le="+Inf"})"), 2.0)
      << metrics;
  EXPECT_GT(metricValue(metrics, "irsa_webhook_admission_duration_seconds_sum").value_or(0), 0.0) << metrics;
  const auto expiry = metricValue(metrics, "irsa_webhook_tls_certificate_expiry_timestamp_seconds");
  ASSERT_TRUE(expiry) << metrics;
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  // dev-cert certificates are valid for a year.
  EXPECT_GT(*expiry, now + 360 * 86400.0);
  EXPECT_LT(*expiry, now + 370 * 86400.0);
}

TEST(ServerContainerCredentialsTest, ListedServiceAccountGetsContainerCredentials) {
  TestServer::Options options;
  options.serviceAccounts += serviceAccountYaml("apps", "pod-identity", "");
  TempDir configDir;
  const std::string config = configDir.file("container-credentials.json");
  writeFileAtomically(config, R"({"identities":[{"namespace":"apps","serviceAccount":"pod-identity"}]})");
  options.extraArgs = {"--watch-container-credentials-config", config};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);

  Reply reply = server->request(mutateRequest(
      admissionReview("admission.k8s.io/v1", "cc-1", podJson("pod-identity"), "CREATE", "apps")));
  auto doc = parse(reply.response.body());
  const rapidjson::Value* response = admissionResponse(reply, doc, "admission.k8s.io/v1", "cc-1");
  ASSERT_NE(response, nullptr);
  const auto decoded = webhook::base64Decode(str(*response, "patch"));
  ASSERT_TRUE(decoded) << reply.response.body();
  EXPECT_NE(
      decoded->find(
          R"({"name":"AWS_CONTAINER_CREDENTIALS_FULL_URI","value":"http://169.254.170.23/v1/credentials"})"),
      std::string::npos)
      << *decoded;
  EXPECT_NE(decoded->find("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), std::string::npos) << *decoded;
  EXPECT_NE(decoded->find(R"("eks.amazonaws.com/pod-identity")"), std::string::npos) << *decoded;
  EXPECT_EQ(decoded->find("AWS_ROLE_ARN"), std::string::npos) << *decoded;

  // The same ServiceAccount name in another namespace is not listed.
  Reply other = server->request(mutateRequest(
      admissionReview("admission.k8s.io/v1", "cc-2", podJson("pod-identity"), "CREATE", "default")));
  ASSERT_FALSE(other.ec);
  EXPECT_EQ(other.response.body().find("\"patch\""), std::string::npos) << other.response.body();
}

// The list alone gives the pod its identity, so the pod does not wait for a
// ServiceAccount that is not in the cache (the reference does not either).
TEST(ServerContainerCredentialsTest, ListedServiceAccountMissingFromTheCacheIsAnsweredWithoutWaiting) {
  TestServer::Options options;
  TempDir configDir;
  const std::string config = configDir.file("container-credentials.json");
  writeFileAtomically(config, R"({"identities":[{"namespace":"apps","serviceAccount":"not-cached"}]})");
  options.extraArgs = {"--watch-container-credentials-config", config,
                       "--service-account-lookup-grace-period=5s"};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);

  Reply reply = server->request(
      mutateRequest(admissionReview("admission.k8s.io/v1", "cc-3", podJson("not-cached"), "CREATE", "apps")));
  auto doc = parse(reply.response.body());
  const rapidjson::Value* response = admissionResponse(reply, doc, "admission.k8s.io/v1", "cc-3");
  ASSERT_NE(response, nullptr);
  const auto decoded = webhook::base64Decode(str(*response, "patch"));
  ASSERT_TRUE(decoded) << reply.response.body();
  EXPECT_NE(decoded->find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos) << *decoded;
  const std::string log = server->process().stderrText();
  EXPECT_EQ(log.find("apps/not-cached not found in the cache"), std::string::npos) << log;
  const std::string metrics = server->scrapeMetrics();
  EXPECT_EQ(metricValue(metrics, "pod_identity_webhook_missing_sa_count").value_or(0), 0.0) << metrics;
  EXPECT_EQ(metricValue(metrics, R"(pod_identity_webhook_pod_count{method="container_credentials"})"), 1.0)
      << metrics;
}

}  // namespace
}  // namespace irsa::testsupport
