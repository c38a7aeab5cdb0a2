#include "oidc/JwkSet.hpp"

#include <rapidjson/document.h>

#include "util/JsonWriter.hpp"
#include "webhook/Json.hpp"

namespace irsa::oidc {
namespace {

void writeMember(util::JsonPrettyWriter& w, const char* name, const std::string& value) {
  if (value.empty()) return;  // omitempty, as go-jose marshals
  w.Key(name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void writeKey(util::JsonPrettyWriter& w, const Jwk& jwk, bool withKid) {
  w.StartObject();
  writeMember(w, "use", jwk.use);
  writeMember(w, "kty", jwk.kty);
  if (withKid) {
    writeMember(w, "kid", jwk.kid);
  } else {
    w.Key("kid");
    w.String("");
  }
  writeMember(w, "crv", jwk.crv);
  writeMember(w, "alg", jwk.alg);
  writeMember(w, "x", jwk.x);
  writeMember(w, "y", jwk.y);
  writeMember(w, "n", jwk.n);
  writeMember(w, "e", jwk.e);
  w.EndObject();
}

// A string member into `out`; absent is fine, another type is not.
util::Status readMember(const rapidjson::Value& key, const char* name, std::string& out,
                        bool* present = nullptr) {
  const auto it = key.FindMember(name);
  if (present != nullptr) *present = it != key.MemberEnd();
  if (it == key.MemberEnd()) return util::okStatus();
  if (!it->value.IsString()) return util::fail(std::string("\"") + name + "\" is not a string");
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return util::okStatus();
}

}  // namespace

std::string writeJwkSet(const std::vector<Jwk>& keys, bool legacyEmptyKid) {
  util::JsonBuffer buffer;
  util::JsonPrettyWriter w(buffer);
  w.SetIndent(' ', 4);
  w.StartObject();
  w.Key("keys");
  w.StartArray();
  for (const Jwk& jwk : keys)
    writeKey(w, jwk, true);
  if (legacyEmptyKid) {
    for (const Jwk& jwk : keys)
      writeKey(w, jwk, false);
  }
  w.EndArray();
  w.EndObject();
  return buffer.str() + "\n";
}

util::Result<std::vector<Jwk>> parseJwkSet(std::string_view text) {
  rapidjson::Document doc;
  if (auto parsed = webhook::parseJson(doc, text, kMaxJwkSetDepth); !parsed) return parsed.failure();
  if (!doc.IsObject()) return util::fail("a JWK Set is a JSON object with \"keys\"");
  const auto keys = doc.FindMember("keys");
  if (keys == doc.MemberEnd()) return util::fail("the JWK Set has no \"keys\"");
  if (!keys->value.IsArray()) return util::fail("the JWK Set's \"keys\" is not an array");
  std::vector<Jwk> out;
  for (rapidjson::SizeType i = 0; i < keys->value.Size(); ++i) {
    const rapidjson::Value& key = keys->value[i];
    const std::string where = "keys[" + std::to_string(i) + "]";
    if (!key.IsObject()) return util::fail(where + " is not an object");
    Jwk jwk;
    util::Status status = readMember(key, "kid", jwk.kid, &jwk.hasKid);
    for (auto [name, field] : {std::pair{"use", &jwk.use},
                               {"kty", &jwk.kty},
                               {"crv", &jwk.crv},
                               {"alg", &jwk.alg},
                               {"x", &jwk.x},
                               {"y", &jwk.y},
                               {"n", &jwk.n},
                               {"e", &jwk.e}}) {
      if (!status) break;
      status = readMember(key, name, *field);
    }
    if (!status) return status.failure().within(where);
    out.push_back(std::move(jwk));
  }
  return out;
}

}  // namespace irsa::oidc
