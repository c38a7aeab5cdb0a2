#pragma once
// AdmissionReview codec for admission.k8s.io/v1 and v1beta1. Decoding reads
// the raw parsed document in place (no typed model that could drop fields);
// encoding answers in the same apiVersion and echoes request.uid.

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "util/Result.hpp"
#include "webhook/Patch.hpp"

namespace irsa::webhook {

struct AdmissionRequest {
  std::string_view apiVersion;
  std::string_view uid;
  std::string_view operation;
  // request.namespace ("default" when the request has none), never the object's.
  std::string_view ns;
  // True only for CREATE of a pod (not a subresource): the one thing mutated.
  bool isPodCreate{false};
  const rapidjson::Value* pod{nullptr};  // request.object when isPodCreate
  // spec.serviceAccountName, "default" when empty.
  std::string_view serviceAccountName;
  // metadata.name, else generateName: for logs.
  std::string_view podName;
};

// Fails (an HTTP 400) for a review without request, uid or object, or of an
// unsupported apiVersion/kind.
util::Result<AdmissionRequest> decodeAdmissionReview(const rapidjson::Value& review);

// The response review; `patch` may be null or empty for "allowed, unchanged".
std::string encodeAdmissionResponse(std::string_view apiVersion, std::string_view uid, const Patch* patch);

// A Kubernetes Status object as the JSON body of an HTTP error.
std::string encodeErrorStatus(int httpCode, std::string_view reason, std::string_view message);

// Pod fields the admission path needs, read from the raw pod object.
std::string_view podServiceAccountName(const rapidjson::Value& pod);

}  // namespace irsa::webhook
