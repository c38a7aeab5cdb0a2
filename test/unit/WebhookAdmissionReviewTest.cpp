// webhook/AdmissionReview: decoding v1/v1beta1 reviews and encoding the
// response the kube-apiserver expects.
#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "webhook/AdmissionReview.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"
#include "webhook/Patch.hpp"

using namespace irsa::webhook;

namespace {

// AdmissionRequest views into the parsed document, so every document stays
// alive until the test binary exits.
const rapidjson::Document& parse(const std::string& text) {
  static std::deque<rapidjson::Document> documents;
  rapidjson::Document& doc = documents.emplace_back();
  auto status = parseJson(doc, text, kDefaultMaxJsonDepth);
  EXPECT_TRUE(status.ok()) << text;
  return doc;
}

// A review of `operation` with `requestExtra` spliced into request and
// `object` as request.object ("" leaves it out).
std::string review(const std::string& apiVersion, const std::string& operation, const std::string& object,
                   const std::string& requestExtra = "") {
  std::string r =
      R"({"apiVersion":")" + apiVersion + R"(","kind":"AdmissionReview","request":{"uid":"u-1",)" +
      R"("kind":{"group":"","version":"v1","kind":"Pod"},)" +
      R"("resource":{"group":"","version":"v1","resource":"pods"},)" + R"("operation":")" + operation + "\"";
  if (!requestExtra.empty()) r += "," + requestExtra;
  if (!object.empty()) r += R"(,"object":)" + object;
  return r + "}}";
}

const std::string kPod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"objns"},)"
                         R"("spec":{"serviceAccountName":"sa","containers":[{"name":"c"}]}})";

TEST(WebhookAdmissionReview, DecodesAV1PodCreate) {
  const auto& doc = parse(review("admission.k8s.io/v1", "CREATE", kPod, R"("namespace":"reqns")"));
  auto req = decodeAdmissionReview(doc);
  ASSERT_TRUE(req.ok()) << req.error();
  EXPECT_EQ(req->apiVersion, "admission.k8s.io/v1");
  EXPECT_EQ(req->uid, "u-1");
  EXPECT_EQ(req->operation, "CREATE");
  EXPECT_TRUE(req->isPodCreate);
  ASSERT_NE(req->pod, nullptr);
  EXPECT_EQ(req->pod, &doc["request"]["object"]);  // the raw object, not a copy
  EXPECT_EQ(req->ns, "reqns");
  EXPECT_EQ(req->serviceAccountName, "sa");
  EXPECT_EQ(req->podName, "p");
}

TEST(WebhookAdmissionReview, DecodesAV1beta1PodCreate) {
  const auto& doc = parse(review("admission.k8s.io/v1beta1", "CREATE", kPod, R"("namespace":"reqns")"));
  auto req = decodeAdmissionReview(doc);
  ASSERT_TRUE(req.ok()) << req.error();
  EXPECT_EQ(req->apiVersion, "admission.k8s.io/v1beta1");
  EXPECT_TRUE(req->isPodCreate);
}

TEST(WebhookAdmissionReview, RejectsAnUnknownApiVersion) {
  for (const char* v : {"admission.k8s.io/v2", "v1", ""}) {
    auto req = decodeAdmissionReview(parse(review(v, "CREATE", kPod)));
    ASSERT_FALSE(req.ok()) << v;
    EXPECT_NE(req.error().find("apiVersion"), std::string::npos) << req.error();
  }
  auto noVersion = decodeAdmissionReview(parse(R"({"kind":"AdmissionReview","request":{"uid":"u"}})"));
  EXPECT_FALSE(noVersion.ok());
}

TEST(WebhookAdmissionReview, RejectsAWrongKind) {
  const auto& doc =
      parse(R"({"apiVersion":"admission.k8s.io/v1","kind":"Pod","request":{"uid":"u","operation":"CREATE",)"
            R"("object":{}}})");
  auto req = decodeAdmissionReview(doc);
  ASSERT_FALSE(req.ok());
  EXPECT_NE(req.error().find("kind"), std::string::npos) << req.error();
}

TEST(WebhookAdmissionReview, RejectsABodyThatIsNotAnObject) {
  EXPECT_FALSE(decodeAdmissionReview(parse("[]")).ok());
  EXPECT_FALSE(decodeAdmissionReview(parse("null")).ok());
}

TEST(WebhookAdmissionReview, RejectsAMissingRequest) {
  auto req = decodeAdmissionReview(parse(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})"));
  ASSERT_FALSE(req.ok());
  EXPECT_NE(req.error().find("request"), std::string::npos);
  EXPECT_FALSE(decodeAdmissionReview(
                   parse(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"})"))
                   .ok());
}

TEST(WebhookAdmissionReview, RejectsAMissingOrEmptyUid) {
  for (const char* uidPart : {"", R"("uid":"",)", R"("uid":7,)"}) {
    const auto& doc =
        parse(std::string(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)") +
              uidPart + R"("operation":"CREATE","object":)" + kPod + "}}");
    auto req = decodeAdmissionReview(doc);
    ASSERT_FALSE(req.ok()) << uidPart;
    EXPECT_NE(req.error().find("uid"), std::string::npos) << req.error();
  }
}

TEST(WebhookAdmissionReview, RejectsACreateWithoutAnObject) {
  for (const char* object : {"", "null"}) {
    auto req = decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CREATE", object)));
    ASSERT_FALSE(req.ok()) << object;
    EXPECT_NE(req.error().find("object"), std::string::npos) << req.error();
  }
  EXPECT_FALSE(decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CREATE", "\"pod\""))).ok());
  EXPECT_FALSE(decodeAdmissionReview(parse(review("admission.k8s.io/v1", "UPDATE", ""))).ok());
}

TEST(WebhookAdmissionReview, DeleteWithoutAnObjectIsAllowedAndNotMutated) {
  for (const char* object : {"", "null"}) {
    auto req =
        decodeAdmissionReview(parse(review("admission.k8s.io/v1", "DELETE", object, R"("namespace":"n")")));
    ASSERT_TRUE(req.ok()) << req.error();
    EXPECT_FALSE(req->isPodCreate);
    EXPECT_EQ(req->pod, nullptr);
    EXPECT_EQ(req->ns, "n");
  }
  auto connect = decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CONNECT", "")));
  ASSERT_TRUE(connect.ok()) << connect.error();
  EXPECT_FALSE(connect->isPodCreate);
}

TEST(WebhookAdmissionReview, NamespaceComesFromTheRequestFirst) {
  auto req =
      decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CREATE", kPod, R"("namespace":"reqns")")));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->ns, "reqns");
}

TEST(WebhookAdmissionReview, NamespaceNeverComesFromTheObject) {
  // DESIGN.md: always request.namespace; a request without one means "default".
  auto missing = decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CREATE", kPod)));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->ns, "default");
  auto empty =
      decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CREATE", kPod, R"("namespace":"")")));
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ns, "default");
}

TEST(WebhookAdmissionReview, EmptyOrMissingServiceAccountNameIsDefault) {
  for (const char* spec : {R"({"serviceAccountName":""})", "{}", R"({"serviceAccountName":5})"}) {
    auto req = decodeAdmissionReview(
        parse(review("admission.k8s.io/v1", "CREATE", std::string(R"({"kind":"Pod","spec":)") + spec + "}")));
    ASSERT_TRUE(req.ok()) << spec;
    EXPECT_EQ(req->serviceAccountName, "default") << spec;
  }
  auto noSpec = decodeAdmissionReview(parse(review("admission.k8s.io/v1", "CREATE", R"({"kind":"Pod"})")));
  ASSERT_TRUE(noSpec.ok());
  EXPECT_EQ(noSpec->serviceAccountName, "default");
}

TEST(WebhookAdmissionReview, PodNameFallsBackToGenerateName) {
  auto req = decodeAdmissionReview(parse(review(
      "admission.k8s.io/v1", "CREATE", R"({"kind":"Pod","metadata":{"generateName":"web-"},"spec":{}})")));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->podName, "web-");
}

TEST(WebhookAdmissionReview, SubresourceCreateIsNotAPodCreate) {
  auto req = decodeAdmissionReview(parse(
      review("admission.k8s.io/v1", "CREATE", R"({"kind":"Eviction"})", R"("subResource":"eviction")")));
  ASSERT_TRUE(req.ok()) << req.error();
  EXPECT_FALSE(req->isPodCreate);
  EXPECT_EQ(req->pod, nullptr);
}

TEST(WebhookAdmissionReview, OtherResourcesAreNotPodCreates) {
  const std::string doc =
      R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",)"
      R"("kind":{"group":"apps","version":"v1","kind":"Deployment"},)"
      R"("resource":{"group":"apps","version":"v1","resource":"deployments"},)"
      R"("operation":"CREATE","object":{"kind":"Deployment"}}})";
  auto req = decodeAdmissionReview(parse(doc));
  ASSERT_TRUE(req.ok()) << req.error();
  EXPECT_FALSE(req->isPodCreate);
  // A "pods" resource in another API group is not core/v1 pods either.
  const std::string otherGroup = R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)"
                                 R"("uid":"u","resource":{"group":"metrics.k8s.io","resource":"pods"},)"
                                 R"("operation":"CREATE","object":{"kind":"PodMetrics"}}})";
  auto other = decodeAdmissionReview(parse(otherGroup));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->isPodCreate);
}

TEST(WebhookAdmissionReview, UpdateIsNotAPodCreate) {
  auto req = decodeAdmissionReview(parse(review("admission.k8s.io/v1", "UPDATE", kPod)));
  ASSERT_TRUE(req.ok()) << req.error();
  EXPECT_FALSE(req->isPodCreate);
  EXPECT_EQ(req->pod, nullptr);
}

// --- encoding ----------------------------------------------------------------

TEST(WebhookAdmissionReview, ResponseEchoesApiVersionAndUidWithoutAPatch) {
  for (const char* version : {"admission.k8s.io/v1", "admission.k8s.io/v1beta1"}) {
    const auto& out = parse(encodeAdmissionResponse(version, "abc-123", nullptr));
    EXPECT_STREQ(out["apiVersion"].GetString(), version);
    EXPECT_STREQ(out["kind"].GetString(), "AdmissionReview");
    const auto& response = out["response"];
    EXPECT_STREQ(response["uid"].GetString(), "abc-123");
    EXPECT_TRUE(response["allowed"].GetBool());
    EXPECT_FALSE(response.HasMember("patch"));
    EXPECT_FALSE(response.HasMember("patchType"));
  }
}

TEST(WebhookAdmissionReview, ResponseOmitsAnEmptyPatch) {
  Patch empty;
  const auto& out = parse(encodeAdmissionResponse("admission.k8s.io/v1", "u", &empty));
  EXPECT_FALSE(out["response"].HasMember("patch"));
  EXPECT_FALSE(out["response"].HasMember("patchType"));
}

TEST(WebhookAdmissionReview, ResponseCarriesANonEmptyPatchAsBase64JsonPatch) {
  Patch patch;
  patch.add("/metadata/labels", rapidjson::Value(rapidjson::kObjectType));
  patch.add("/spec/volumes/-", rapidjson::Value("v", patch.allocator()));
  const auto& out = parse(encodeAdmissionResponse("admission.k8s.io/v1", "u", &patch));
  const auto& response = out["response"];
  ASSERT_TRUE(response.HasMember("patchType"));
  EXPECT_STREQ(response["patchType"].GetString(), "JSONPatch");
  ASSERT_TRUE(response["patch"].IsString());
  auto decoded = base64Decode(response["patch"].GetString());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, patch.toJson());
}

TEST(WebhookAdmissionReview, ResponseEscapesAUidWithQuotes) {
  const std::string uid = "a\"b\\c</script>\n";
  const std::string text = encodeAdmissionResponse("admission.k8s.io/v1", uid, nullptr);
  rapidjson::Document out;
  ASSERT_TRUE(parseJson(out, text, kDefaultMaxJsonDepth).ok()) << text;
  EXPECT_EQ(std::string(out["response"]["uid"].GetString(), out["response"]["uid"].GetStringLength()), uid);
}

TEST(WebhookAdmissionReview, ErrorStatusHasTheKubernetesStatusShape) {
  const std::string text = encodeErrorStatus(400, "BadRequest", "request has \"no\" uid");
  rapidjson::Document out;
  ASSERT_TRUE(parseJson(out, text, kDefaultMaxJsonDepth).ok()) << text;
  EXPECT_STREQ(out["kind"].GetString(), "Status");
  EXPECT_STREQ(out["apiVersion"].GetString(), "v1");
  ASSERT_TRUE(out["metadata"].IsObject());
  EXPECT_TRUE(out["metadata"].ObjectEmpty());
  EXPECT_STREQ(out["status"].GetString(), "Failure");
  EXPECT_STREQ(out["message"].GetString(), "request has \"no\" uid");
  EXPECT_STREQ(out["reason"].GetString(), "BadRequest");
  ASSERT_TRUE(out["code"].IsInt());
  EXPECT_EQ(out["code"].GetInt(), 400);
}

}  // namespace
