#include "webhook/AdmissionReview.hpp"

#include "util/JsonWriter.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"

namespace irsa::webhook {
namespace {

constexpr std::string_view kV1 = "admission.k8s.io/v1";
constexpr std::string_view kV1beta1 = "admission.k8s.io/v1beta1";

void key(util::JsonWriter& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
void string(util::JsonWriter& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

bool isPodResource(const rapidjson::Value& request, const rapidjson::Value* object) {
  if (!stringMember(request, "subResource").empty()) return false;
  if (const rapidjson::Value* resource = objectMember(request, "resource")) {
    return stringMember(*resource, "group").empty() && stringMember(*resource, "resource") == "pods";
  }
  if (const rapidjson::Value* kind = objectMember(request, "kind")) {
    return stringMember(*kind, "group").empty() && stringMember(*kind, "kind") == "Pod";
  }
  return object && stringMember(*object, "kind") == "Pod";
}

}  // namespace

std::string_view podServiceAccountName(const rapidjson::Value& pod) {
  std::string_view name;
  if (const rapidjson::Value* spec = objectMember(pod, "spec"))
    name = stringMember(*spec, "serviceAccountName");
  return name.empty() ? std::string_view("default") : name;
}

util::Result<AdmissionRequest> decodeAdmissionReview(const rapidjson::Value& review) {
  if (!review.IsObject()) return util::fail("body is not a JSON object");
  AdmissionRequest out;
  out.apiVersion = stringMember(review, "apiVersion");
  if (out.apiVersion != kV1 && out.apiVersion != kV1beta1) {
    return util::fail("unsupported apiVersion '" + std::string(out.apiVersion) + "', want " +
                      std::string(kV1) + " or " + std::string(kV1beta1));
  }
  if (stringMember(review, "kind") != "AdmissionReview") return util::fail("kind must be AdmissionReview");
  const rapidjson::Value* request = objectMember(review, "request");
  if (!request) return util::fail("review has no request");
  out.uid = stringMember(*request, "uid");
  if (out.uid.empty()) return util::fail("request has no uid");
  out.operation = stringMember(*request, "operation");
  const rapidjson::Value* object = member(*request, "object");
  const bool hasObject = object && !object->IsNull();
  // DELETE and CONNECT legitimately carry no object; they are never mutated.
  if (!hasObject && out.operation != "DELETE" && out.operation != "CONNECT") {
    return util::fail("request has no object");
  }
  if (hasObject && !object->IsObject()) return util::fail("request.object is not a JSON object");

  // Never the object's namespace (DESIGN.md): it is empty for pods created
  // with generateName and is the client's to set.
  out.ns = stringMember(*request, "namespace");
  if (out.ns.empty()) out.ns = "default";
  const rapidjson::Value* metadata = hasObject ? objectMember(*object, "metadata") : nullptr;

  out.isPodCreate = out.operation == "CREATE" && hasObject && isPodResource(*request, object);
  if (out.isPodCreate) {
    out.pod = object;
    out.serviceAccountName = podServiceAccountName(*object);
    if (metadata) {
      out.podName = stringMember(*metadata, "name");
      if (out.podName.empty()) out.podName = stringMember(*metadata, "generateName");
    }
  }
  return out;
}

std::string encodeAdmissionResponse(std::string_view apiVersion, std::string_view uid, const Patch* patch) {
  util::JsonBuffer buffer;
  util::JsonWriter w(buffer);
  w.StartObject();
  key(w, "apiVersion");
  string(w, apiVersion);
  key(w, "kind");
  string(w, "AdmissionReview");
  key(w, "response");
  w.StartObject();
  key(w, "uid");
  string(w, uid);
  key(w, "allowed");
  w.Bool(true);
  if (patch && !patch->empty()) {
    key(w, "patchType");
    string(w, "JSONPatch");
    key(w, "patch");
    util::JsonBuffer patchJson;
    util::JsonWriter pw(patchJson);
    patch->write(pw);
    // Base64 needs no JSON escaping: write the quoted string as it is,
    // rather than have the writer scan every byte of it.
    std::string encoded;
    encoded.reserve((patchJson.GetSize() + 2) / 3 * 4 + 2);
    encoded.push_back('"');
    base64Append(encoded, std::string_view(patchJson.GetString(), patchJson.GetSize()));
    encoded.push_back('"');
    w.RawValue(encoded.data(), encoded.size(), rapidjson::kStringType);
  }
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string encodeErrorStatus(int httpCode, std::string_view reason, std::string_view message) {
  util::JsonBuffer buffer;
  util::JsonWriter w(buffer);
  w.StartObject();
  key(w, "kind");
  string(w, "Status");
  key(w, "apiVersion");
  string(w, "v1");
  key(w, "metadata");
  w.StartObject();
  w.EndObject();
  key(w, "status");
  string(w, "Failure");
  key(w, "message");
  string(w, message);
  key(w, "reason");
  string(w, reason);
  key(w, "code");
  w.Int(httpCode);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace irsa::webhook
