// libFuzzer target: AdmissionReview bytes -> the answer, through the
// webhook/ calls server/AdmissionHandler makes (in-situ parse, decode, the
// identity inputs, the planner, the encoder), with the ServiceAccount lookup
// answered at once from FixedIdentities. Invariants, each an abort:
//   - every answer is valid JSON: a 200 AdmissionReview echoing apiVersion
//     and uid and allowing the pod, or a 400 Status;
//   - only a pod CREATE gets a patch: "add" operations on the volumes, the
//     containers' env and mounts and the metadata labels only, base64 of a
//     JSON array, which applies to the input pod (webhook/JsonPatchApplier);
//   - the patched pod, sent again, gets no patch.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/ServerConfig.hpp"
#include "test/fuzz/FixedIdentities.hpp"
#include "test/fuzz/FuzzCheck.hpp"
#include "webhook/AdmissionPlanner.hpp"
#include "webhook/AdmissionReview.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"
#include "webhook/JsonPatchApplier.hpp"

namespace {

using namespace irsa;
using fuzz::check;

const unsigned kMaxJsonDepth = static_cast<unsigned>(server::ServerLimits{}.maxJsonDepth);

// Deterministic, so a crash reproduces; the middle of the range.
class MiddleRandom : public webhook::RandomSource {
 public:
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) override { return lo + (hi - lo) / 2; }
};

struct Answer {
  int status;
  std::string body;
};

const fuzz::FixedIdentities& identities() {
  static const fuzz::FixedIdentities fixed;
  return fixed;
}

// server/AdmissionHandler::handle and finish, the lookup answered at once.
Answer admit(std::string body) {
  rapidjson::Document doc;
  if (auto status = webhook::parseJsonInsitu(doc, body.data(), kMaxJsonDepth); !status) {
    return {400, webhook::encodeErrorStatus(400, "Bad Request", status.error())};
  }
  auto decoded = webhook::decodeAdmissionReview(doc);
  if (!decoded) return {400, webhook::encodeErrorStatus(400, "Bad Request", decoded.error())};
  const webhook::AdmissionRequest& req = *decoded;
  if (!req.isPodCreate) return {200, webhook::encodeAdmissionResponse(req.apiVersion, req.uid, nullptr)};
  static const webhook::AdmissionPlanner planner(identities().settings());
  const auto sources = identities().inputs().sourcesFor(req.ns, req.serviceAccountName,
                                                        identities().find(req.ns, req.serviceAccountName));
  MiddleRandom random;
  const auto outcome = planner.plan(*req.pod, sources, random);
  return {200, webhook::encodeAdmissionResponse(req.apiVersion, req.uid, &outcome.patch)};
}

bool allowedPatchPath(std::string_view path) {
  for (std::string_view prefix :
       {"/spec/volumes", "/spec/containers/", "/spec/initContainers/", "/metadata"}) {
    if (path.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// The operations of a 200 answer's patch, checked; null when it has none.
rapidjson::Document patchOf(const rapidjson::Value& response, const Answer& answer) {
  rapidjson::Document ops;
  const rapidjson::Value* patch = webhook::member(response, "patch");
  if (!patch) return ops;
  check(webhook::stringMember(response, "patchType") == "JSONPatch", "patchType is JSONPatch", answer.body);
  const auto json = webhook::base64Decode(webhook::view(*patch));
  check(json.has_value(), "the patch is base64", answer.body);
  check(webhook::parseJson(ops, *json, kMaxJsonDepth).ok(), "the patch is JSON", *json);
  check(ops.IsArray() && !ops.Empty(), "the patch is a non-empty array", *json);
  for (const auto& op : ops.GetArray()) {
    check(webhook::stringMember(op, "op") == "add", "only add operations", *json);
    check(allowedPatchPath(webhook::stringMember(op, "path")), "a path the mutator may add to", *json);
    check(webhook::member(op, "value") != nullptr, "an add has a value", *json);
  }
  return ops;
}

// The answer is valid JSON of its kind; returns the patch operations.
rapidjson::Document checkAnswer(const Answer& answer, const webhook::AdmissionRequest* req) {
  rapidjson::Document doc;
  check(webhook::parseJson(doc, answer.body, kMaxJsonDepth).ok() && doc.IsObject(), "the answer is JSON",
        answer.body);
  if (answer.status == 400) {
    check(req == nullptr, "a decodable review is answered with 200", answer.body);
    check(webhook::stringMember(doc, "kind") == "Status", "a 400 is a Status", answer.body);
    return {};
  }
  check(req != nullptr, "an undecodable review is answered with 400", answer.body);
  check(webhook::stringMember(doc, "apiVersion") == req->apiVersion, "the apiVersion is echoed", answer.body);
  check(webhook::stringMember(doc, "kind") == "AdmissionReview", "kind AdmissionReview", answer.body);
  const rapidjson::Value* response = webhook::objectMember(doc, "response");
  check(response != nullptr, "a response object", answer.body);
  check(webhook::stringMember(*response, "uid") == req->uid, "the uid is echoed", answer.body);
  const rapidjson::Value* allowed = webhook::member(*response, "allowed");
  check(allowed && allowed->IsBool() && allowed->GetBool(), "the pod is allowed", answer.body);
  rapidjson::Document ops = patchOf(*response, answer);
  check(ops.IsNull() || req->isPodCreate, "only a pod CREATE is patched", answer.body);
  return ops;
}

// The review again, its pod replaced by the patched one.
std::string withPod(const rapidjson::Value& review, const rapidjson::Value& pod) {
  rapidjson::Document copy;
  copy.CopyFrom(review, copy.GetAllocator());
  rapidjson::Value& request = copy["request"];
  request["object"].CopyFrom(pod, copy.GetAllocator());
  return webhook::toJson(copy);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  const Answer answer = admit(body);

  // The same parse and decode, kept for the checks (admit's are gone).
  std::string text = body;
  rapidjson::Document review;
  const bool parsed = webhook::parseJsonInsitu(review, text.data(), kMaxJsonDepth).ok();
  auto decoded = parsed ? webhook::decodeAdmissionReview(review) : util::fail("unparsed");
  const rapidjson::Document ops = checkAnswer(answer, decoded ? &*decoded : nullptr);
  if (ops.IsNull()) return 0;

  rapidjson::Document pod;
  pod.CopyFrom(*decoded->pod, pod.GetAllocator());
  const auto applied = webhook::applyJsonPatch(pod, ops);
  check(applied.ok(), "the patch applies to the pod", applied.ok() ? "" : applied.error());

  const Answer again = admit(withPod(review, pod));
  check(again.status == 200, "the patched pod is admitted", again.body);
  rapidjson::Document answerDoc;
  check(webhook::parseJson(answerDoc, again.body, kMaxJsonDepth).ok(), "the second answer is JSON",
        again.body);
  const rapidjson::Value* response = webhook::objectMember(answerDoc, "response");
  check(response && !webhook::member(*response, "patch"), "a second pass plans nothing",
        again.body + "\npod: " + webhook::toJson(pod));
  return 0;
}
