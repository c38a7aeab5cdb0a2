#include "kube/TokenRequest.hpp"

#include <rapidjson/document.h>

#include "util/JsonWriter.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {
namespace {

constexpr unsigned kMaxDepth = 16;  // a TokenRequest is three levels deep

}  // namespace

std::string tokenRequestTarget(std::string_view ns, std::string_view name) {
  return "/api/v1/namespaces/" + std::string(ns) + "/serviceaccounts/" + std::string(name) + "/token";
}

std::string tokenRequestBody(std::string_view audience, std::int64_t expirationSeconds) {
  util::JsonBuffer buffer;
  util::JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("apiVersion");
  writer.String("authentication.k8s.io/v1");
  writer.Key("kind");
  writer.String("TokenRequest");
  writer.Key("spec");
  writer.StartObject();
  writer.Key("audiences");
  writer.StartArray();
  writer.String(audience.data(), static_cast<rapidjson::SizeType>(audience.size()));
  writer.EndArray();
  writer.Key("expirationSeconds");
  writer.Int64(expirationSeconds);
  writer.EndObject();
  writer.EndObject();
  return buffer.str();
}

util::Result<IssuedToken> parseTokenRequestResponse(std::string_view body) {
  rapidjson::Document doc;
  if (auto parsed = webhook::parseJson(doc, body, kMaxDepth); !parsed) {
    return parsed.failure().within("TokenRequest answer");
  }
  if (!doc.IsObject() || webhook::stringMember(doc, "kind") != "TokenRequest") {
    return util::fail("TokenRequest answer: not a TokenRequest object");
  }
  const rapidjson::Value* status = webhook::objectMember(doc, "status");
  if (status == nullptr || webhook::stringMember(*status, "token").empty()) {
    return util::fail("TokenRequest answer: no status.token");
  }
  return IssuedToken{std::string(webhook::stringMember(*status, "token")),
                     std::string(webhook::stringMember(*status, "expirationTimestamp"))};
}

}  // namespace irsa::kube
