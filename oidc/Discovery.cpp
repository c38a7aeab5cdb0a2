#include "oidc/Discovery.hpp"

#include <rapidjson/document.h>

#include <initializer_list>

#include "util/JsonWriter.hpp"
#include "webhook/Json.hpp"

namespace irsa::oidc {
namespace {

constexpr unsigned kMaxDiscoveryDepth = 16;

void writeString(util::JsonPrettyWriter& w, std::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void writeStrings(util::JsonPrettyWriter& w, const char* name, const std::vector<std::string>& values) {
  w.Key(name);
  w.StartArray();
  for (const std::string& value : values)
    writeString(w, value);
  w.EndArray();
}

}  // namespace

std::string defaultJwksUri(std::string_view issuer) {
  return std::string(issuer) + "/keys.json";
}

std::string writeDiscovery(const DiscoveryDocument& document) {
  util::JsonBuffer buffer;
  util::JsonPrettyWriter w(buffer);
  w.SetIndent(' ', 4);
  w.StartObject();
  w.Key("issuer");
  writeString(w, document.issuer);
  w.Key("jwks_uri");
  writeString(w, document.jwksUri);
  w.Key("authorization_endpoint");
  w.String("urn:kubernetes:programmatic_authorization");
  writeStrings(w, "response_types_supported", {"id_token"});
  writeStrings(w, "subject_types_supported", {"public"});
  writeStrings(
      w, "id_token_signing_alg_values_supported",
      document.signingAlgorithms.empty() ? std::vector<std::string>{"RS256"} : document.signingAlgorithms);
  writeStrings(w, "claims_supported", {"sub", "iss"});
  w.EndObject();
  return buffer.str() + "\n";
}

util::Result<DiscoveryDocument> parseDiscovery(std::string_view text) {
  rapidjson::Document doc;
  if (auto parsed = webhook::parseJson(doc, text, kMaxDiscoveryDepth); !parsed) return parsed.failure();
  if (!doc.IsObject()) return util::fail("a discovery document is a JSON object");
  DiscoveryDocument out;
  for (auto [name, field] : {std::pair{"issuer", &out.issuer}, {"jwks_uri", &out.jwksUri}}) {
    const auto it = doc.FindMember(name);
    if (it == doc.MemberEnd())
      return util::fail(std::string("the discovery document has no \"") + name + "\"");
    if (!it->value.IsString())
      return util::fail(std::string("the discovery document's \"") + name + "\" is not a string");
    field->assign(it->value.GetString(), it->value.GetStringLength());
  }
  if (const auto* algs = webhook::arrayMember(doc, "id_token_signing_alg_values_supported")) {
    for (const auto& alg : algs->GetArray()) {
      if (alg.IsString()) out.signingAlgorithms.emplace_back(alg.GetString(), alg.GetStringLength());
    }
  }
  return out;
}

}  // namespace irsa::oidc
