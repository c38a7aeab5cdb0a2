// Values chosen by whoever writes a ServiceAccount, a pod or the ConfigMap
// reach the patch only through the JSON writer: quotes, backslashes, control
// characters, NUL, line separators, JSON Pointer syntax ("/", "~", "~1") and
// invalid UTF-8 in annotation values, ServiceAccount, container and volume
// names. Each review goes the server's way (in-situ parse, decode, plan,
// encode); the answer must be valid JSON and valid UTF-8, its patch must
// touch only the webhook's own paths and, applied to the pod, give exactly
// the pod built here by hand.
#include <gtest/gtest.h>
#include <rapidjson/encodings.h>
#include <rapidjson/error/en.h>

#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "util/JsonWriter.hpp"
#include "webhook/AdmissionPlanner.hpp"
#include "webhook/AdmissionReview.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"
#include "webhook/JsonPatchApplier.hpp"

using namespace irsa::webhook;
using namespace std::string_view_literals;
using rapidjson::Value;

namespace {

// Each tries to end a JSON string, a patch path or a CSV field early.
const std::vector<std::string_view> kHostile = {
    "quote\""sv,
    "back\\slash"sv,
    "\\\""sv,
    "\"},{\"op\":\"remove\",\"path\":\"/spec\"},{\"x\":\""sv,
    "ctl\x01\x1F\x7F"sv,
    "nl\n\r\t"sv,
    "nul\0inside"sv,
    "/"sv,
    "~"sv,
    "~1"sv,
    "~0~1/x"sv,
    "/spec/containers/0"sv,
    ".."sv,
    "\xE2\x80\xA8\xE2\x80\xA9"sv,  // U+2028, U+2029: line ends to JavaScript
    "\xF0\x9F\x98\x80 \xC3\xA9"sv,
    "\xEF\xBF\xBD"sv,
};

std::string joined(std::string_view prefix) {
  std::string out(prefix);
  for (auto h : kHostile)
    out.append(h);
  return out;
}

// The role every case uses: an ARN that ends in every hostile value.
const std::string kRole = joined("arn:aws:iam::111122223333:role/");
constexpr std::string_view kSkipped = "skip,\"me";  // CSV-quoted in the annotation
constexpr const char* kMountPath = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

using Writer = irsa::util::JsonWriter;

void str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void namedEntry(Writer& w, std::string_view name, const char* key, std::string_view value) {
  w.StartObject();
  w.Key("name");
  str(w, name);
  w.Key(key);
  str(w, value);
  w.EndObject();
}

void container(Writer& w, std::string_view name, bool withLists) {
  w.StartObject();
  w.Key("name");
  str(w, name);
  w.Key("image");
  str(w, "busybox");
  if (withLists) {
    w.Key("env");
    w.StartArray();
    namedEntry(w, name, "value", name);
    w.EndArray();
    w.Key("volumeMounts");
    w.StartArray();
    namedEntry(w, name, "mountPath", "/m");
    w.EndArray();
  }
  w.EndObject();
}

void podSpec(Writer& w) {
  w.Key("spec");
  w.StartObject();
  w.Key("serviceAccountName");
  str(w, joined("sa"));
  w.Key("containers");
  w.StartArray();
  for (auto h : kHostile)
    container(w, h, true);
  container(w, joined("bare"), false);
  container(w, kSkipped, true);
  w.EndArray();
  w.Key("volumes");
  w.StartArray();
  // Near misses of the token volume's name must not count as it.
  for (std::string_view name :
       {"aws-iam-token\0"sv, "aws-iam-token/"sv, "AWS-IAM-TOKEN"sv, "~1aws-iam-token"sv}) {
    namedEntry(w, name, "emptyDir", "");
  }
  for (auto h : kHostile)
    namedEntry(w, h, "emptyDir", "");
  w.EndArray();
  w.EndObject();
}

// An AdmissionReview written by a JSON writer, as the apiserver sends it.
std::string review(std::string_view uid) {
  irsa::util::JsonBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("apiVersion");
  str(w, "admission.k8s.io/v1");
  w.Key("kind");
  str(w, "AdmissionReview");
  w.Key("request");
  w.StartObject();
  w.Key("uid");
  str(w, uid);
  w.Key("kind");
  w.StartObject();
  w.Key("group");
  str(w, "");
  w.Key("version");
  str(w, "v1");
  w.Key("kind");
  str(w, "Pod");
  w.EndObject();
  w.Key("resource");
  w.StartObject();
  w.Key("group");
  str(w, "");
  w.Key("version");
  str(w, "v1");
  w.Key("resource");
  str(w, "pods");
  w.EndObject();
  w.Key("namespace");
  str(w, "ns");
  w.Key("operation");
  str(w, "CREATE");
  w.Key("object");
  w.StartObject();
  w.Key("apiVersion");
  str(w, "v1");
  w.Key("kind");
  str(w, "Pod");
  w.Key("metadata");
  w.StartObject();
  w.Key("name");
  str(w, joined("pod"));
  w.Key("annotations");
  w.StartObject();
  w.Key("eks.amazonaws.com/skip-containers");
  str(w, "\"skip,\"\"me\"");
  const std::string hostileKey = joined("eks.amazonaws.com/");  // a hostile key beside them
  w.Key(hostileKey.data(), static_cast<rapidjson::SizeType>(hostileKey.size()));
  str(w, joined(""));
  w.EndObject();
  w.EndObject();
  podSpec(w);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

Value stringValue(std::string_view s, rapidjson::Document::AllocatorType& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

Value envVar(std::string_view name, std::string_view value, rapidjson::Document::AllocatorType& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("name", stringValue(name, a), a);
  v.AddMember("value", stringValue(value, a), a);
  return v;
}

// The pod as it must come out: built by hand, not by the mutator.
rapidjson::Document expectedPod(const Value& pod, std::string_view role, std::string_view audience) {
  rapidjson::Document out;
  out.CopyFrom(pod, out.GetAllocator());
  auto& a = out.GetAllocator();
  for (auto& c : out["spec"]["containers"].GetArray()) {
    if (view(c["name"]) == kSkipped) continue;
    if (!c.HasMember("env")) c.AddMember("env", Value(rapidjson::kArrayType), a);
    c["env"].PushBack(envVar("AWS_ROLE_ARN", role, a), a);
    c["env"].PushBack(envVar("AWS_WEB_IDENTITY_TOKEN_FILE", std::string(kMountPath) + "/token", a), a);
    Value mount(rapidjson::kObjectType);
    mount.AddMember("name", "aws-iam-token", a);
    mount.AddMember("readOnly", true, a);
    mount.AddMember("mountPath", stringValue(kMountPath, a), a);
    if (!c.HasMember("volumeMounts")) c.AddMember("volumeMounts", Value(rapidjson::kArrayType), a);
    c["volumeMounts"].PushBack(mount, a);
  }
  Value token(rapidjson::kObjectType);
  token.AddMember("audience", stringValue(audience, a), a);
  token.AddMember("expirationSeconds", 86400, a);
  token.AddMember("path", "token", a);
  Value source(rapidjson::kObjectType);
  source.AddMember("serviceAccountToken", token, a);
  Value sources(rapidjson::kArrayType);
  sources.PushBack(source, a);
  Value projected(rapidjson::kObjectType);
  projected.AddMember("sources", sources, a);
  Value volume(rapidjson::kObjectType);
  volume.AddMember("name", "aws-iam-token", a);
  volume.AddMember("projected", projected, a);
  out["spec"]["volumes"].PushBack(volume, a);
  return out;
}

// Strict: RapidJSON's encoding validation on, whatever the input holds.
::testing::AssertionResult validJsonText(const std::string& text, rapidjson::Document& doc) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) return ::testing::AssertionFailure() << "raw control byte";
  }
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    return ::testing::AssertionFailure()
           << rapidjson::GetParseError_En(doc.GetParseError()) << " at " << doc.GetErrorOffset();
  }
  return ::testing::AssertionSuccess();
}

struct Answer {
  rapidjson::Document response;
  rapidjson::Document patch;
  AnnotationIssues issues;
};

// The server's steps for one review; `sources` stand in for the lookups.
// `request` is parsed in place: it points into `body`, which must outlive it.
Answer admit(std::string& body, const AdmissionPlanner& planner, const IdentitySources& sources,
             rapidjson::Document& request) {
  struct FixedRandom : RandomSource {
    std::int64_t uniform(std::int64_t lo, std::int64_t) override { return lo; }
  } random;
  Answer answer;
  const auto parsed = parseJsonInsitu(request, body.data(), kDefaultMaxJsonDepth);
  EXPECT_TRUE(parsed.ok()) << parsed.error() << " in " << body;
  auto decoded = decodeAdmissionReview(request);
  EXPECT_TRUE(decoded.ok()) << decoded.error();
  if (!decoded) return answer;
  EXPECT_EQ(decoded->serviceAccountName, joined("sa"));
  auto outcome = planner.plan(*decoded->pod, sources, random);
  answer.issues = std::move(outcome.issues);
  const std::string text = encodeAdmissionResponse(decoded->apiVersion, decoded->uid, &outcome.patch);
  EXPECT_TRUE(validJsonText(text, answer.response)) << text;
  if (!answer.response.IsObject()) return answer;
  const auto patch = base64Decode(stringMember(answer.response["response"], "patch"));
  EXPECT_TRUE(patch.has_value());
  EXPECT_TRUE(validJsonText(patch.value_or(""), answer.patch)) << patch.value_or("");
  return answer;
}

void expectOnlyOwnPaths(const Value& patch) {
  static const std::regex kOwn(R"(^/spec/(volumes(/-)?|containers/[0-9]+/(env|volumeMounts)(/-)?)$)");
  ASSERT_TRUE(patch.IsArray());
  for (const auto& op : patch.GetArray()) {
    EXPECT_EQ(stringMember(op, "op"), "add");
    const std::string path(stringMember(op, "path"));
    EXPECT_TRUE(std::regex_match(path, kOwn)) << path;
  }
}

void expectApplied(rapidjson::Document& request, const Value& patch, std::string_view role,
                   std::string_view audience) {
  const Value& pod = request["request"]["object"];
  rapidjson::Document expected = expectedPod(pod, role, audience);
  rapidjson::Document mutated;
  mutated.CopyFrom(pod, mutated.GetAllocator());
  auto applied = applyJsonPatch(mutated, patch);
  ASSERT_TRUE(applied.ok()) << applied.error();
  EXPECT_TRUE(mutated == expected) << toJson(mutated);
}

TEST(WebhookHostileValues, AServiceAccountsRoleWithEveryHostileValueIsWrittenExactly) {
  MutationSettings settings;
  AdmissionPlanner planner(settings);
  const std::string saName = joined("sa");
  const ServiceAccount::Annotation annotations[] = {{"eks.amazonaws.com/role-arn", kRole}};
  ServiceAccount sa("ns", saName, annotations);
  const std::string uid = joined("uid");
  std::string body = review(uid);
  rapidjson::Document request;
  Answer answer = admit(body, planner, {&sa, nullptr, false}, request);
  ASSERT_TRUE(answer.response.IsObject());
  EXPECT_EQ(view(answer.response["response"]["uid"]), uid);  // echoed byte for byte
  expectOnlyOwnPaths(answer.patch);
  expectApplied(request, answer.patch, kRole, "sts.amazonaws.com");
  ASSERT_EQ(answer.issues.size(), 1u);  // outside the ARN pattern: warned, used all the same
  EXPECT_EQ(answer.issues[0].message, "arn is invalid: " + kRole);
}

TEST(WebhookHostileValues, AConfigMapsUncheckedAudienceIsWrittenExactly) {
  MutationSettings settings;
  AdmissionPlanner planner(settings);
  ConfigMapEntry entry;
  entry.roleArn = kRole;
  entry.audience = joined("aud");
  std::string body = review("u");
  rapidjson::Document request;
  Answer answer = admit(body, planner, {nullptr, &entry, false}, request);
  expectOnlyOwnPaths(answer.patch);
  expectApplied(request, answer.patch, kRole, entry.audience);
}

TEST(WebhookHostileValues, AHostileAudienceAnnotationIsRefusedForTheFlag) {
  MutationSettings settings;
  AdmissionPlanner planner(settings);
  const std::string saName = joined("sa");
  const std::string audience = joined("aud");
  const ServiceAccount::Annotation annotations[] = {{"eks.amazonaws.com/role-arn", kRole},
                                                    {"eks.amazonaws.com/audience", audience},
                                                    {"eks.amazonaws.com/token-expiration", audience}};
  ServiceAccount sa("ns", saName, annotations);
  std::string body = review("u");
  rapidjson::Document request;
  Answer answer = admit(body, planner, {&sa, nullptr, false}, request);
  expectApplied(request, answer.patch, kRole, "sts.amazonaws.com");
  ASSERT_EQ(answer.issues.size(), 3u);
  EXPECT_EQ(answer.issues[1].field, AnnotationIssue::Field::kAudience);
  EXPECT_EQ(answer.issues[2].field, AnnotationIssue::Field::kServiceAccountTokenExpiration);
}

TEST(WebhookHostileValues, InvalidUtf8FromAServiceAccountFileBecomesReplacementCharacters) {
  // The AdmissionReview is validated when parsed; a --service-accounts file
  // or a flag is not, so the writer's side makes the text valid.
  MutationSettings settings;
  settings.tokenMountPath = "/mnt/\xFF";
  AdmissionPlanner planner(settings);
  const std::string saName = joined("sa");
  const ServiceAccount::Annotation annotations[] = {
      {"eks.amazonaws.com/role-arn", "arn:\xC0\x80\xED\xA0\x80"}};
  ServiceAccount sa("ns", saName, annotations);
  std::string body = review("u");
  rapidjson::Document request;
  Answer answer = admit(body, planner, {&sa, nullptr, false}, request);
  ASSERT_TRUE(answer.patch.IsArray());
  const std::string text = toJson(answer.patch);
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_NE(text.find("\"arn:" + r + r + r + r + r + "\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"/mnt/" + r + "/token\""), std::string::npos) << text;
}

TEST(WebhookHostileValues, AReviewThatIsNotValidUtf8IsRefusedBeforeAnyPlanning) {
  // Raw bytes, and a high surrogate without its pair (RapidJSON refuses it;
  // Go would put U+FFFD; the apiserver never sends either).
  for (std::string_view bad : {"\xFF"sv, "\xC0\x80"sv, "\xED\xA0\x80"sv, "\\ud800"sv, "\\ud800\\u0041"sv}) {
    std::string body = review("u");
    const auto at = body.find("\"busybox\"");
    ASSERT_NE(at, std::string::npos);
    body.insert(at + 1, bad);
    rapidjson::Document doc;
    EXPECT_FALSE(parseJsonInsitu(doc, body.data(), kDefaultMaxJsonDepth).ok()) << std::string(bad);
  }
}

TEST(WebhookHostileValues, ALoneLowSurrogateEscapeBecomesAReplacementCharacterAsInGo) {
  for (std::string_view escape : {"\\udc00"sv, "\\udfff"sv}) {
    for (const bool insitu : {true, false}) {
      std::string body =
          R"({"k\u00e9)" + std::string(escape) + R"(":"a)" + std::string(escape) + R"(b\ud55c"})";
      rapidjson::Document doc;
      ASSERT_TRUE((insitu ? parseJsonInsitu(doc, body.data(), 10) : parseJson(doc, body, 10)).ok()) << body;
      ASSERT_TRUE(doc.IsObject());
      const auto& m = *doc.MemberBegin();
      EXPECT_EQ(view(m.name), "k\xC3\xA9\xEF\xBF\xBD");
      EXPECT_EQ(view(m.value),
                "a\xEF\xBF\xBD"
                "b\xED\x95\x9C");  // U+D55C, a valid 0xED lead, is kept
    }
  }
}

}  // namespace
