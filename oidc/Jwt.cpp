#include "oidc/Jwt.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cmath>
#include <memory>

#include "certs/Pem.hpp"
#include "oidc/PublicKeys.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"

namespace irsa::oidc {
namespace {

constexpr unsigned kMaxTokenJsonDepth = 32;
// A fractional NumericDate this large is no time (and would not fit int64).
constexpr double kMaxFractionalTime = 4.0e18;

using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, certs::OpenSslDeleter<EVP_MD_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, certs::OpenSslDeleter<ECDSA_SIG_free>>;

struct DerDeleter {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

util::Result<rapidjson::Document> decodedObject(std::string_view part, const char* what) {
  auto bytes = webhook::base64UrlDecode(part);
  if (!bytes) return util::fail(std::string("the token's ") + what + " is not base64url without padding");
  rapidjson::Document doc;
  if (auto parsed = webhook::parseJson(doc, *bytes, kMaxTokenJsonDepth); !parsed) {
    return parsed.failure().within(std::string("the token's ") + what);
  }
  if (!doc.IsObject()) return util::fail(std::string("the token's ") + what + " is not a JSON object");
  return doc;
}

util::Status readString(const rapidjson::Value& object, const char* name, std::string& out) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return util::okStatus();
  if (!it->value.IsString()) return util::fail(std::string("the token's \"") + name + "\" is not a string");
  out.assign(it->value.GetString(), it->value.GetStringLength());
  return util::okStatus();
}

// A string or a list of strings ("aud", RFC 7519 §4.1.3; "amr").
util::Status readStrings(const rapidjson::Value& object, const char* name, std::vector<std::string>& out) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return util::okStatus();
  if (it->value.IsString()) {
    out.emplace_back(it->value.GetString(), it->value.GetStringLength());
    return util::okStatus();
  }
  const std::string bad = std::string("the token's \"") + name + "\" is not a string or a list of strings";
  if (!it->value.IsArray()) return util::fail(bad);
  for (const auto& value : it->value.GetArray()) {
    if (!value.IsString()) return util::fail(bad);
    out.emplace_back(value.GetString(), value.GetStringLength());
  }
  return util::okStatus();
}

// A NumericDate (RFC 7519 §2): seconds, possibly fractional; kept whole.
util::Status readTime(const rapidjson::Value& object, const char* name, std::optional<std::int64_t>& out) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd()) return util::okStatus();
  const rapidjson::Value& value = it->value;
  if (value.IsInt64()) {
    out = value.GetInt64();
    return util::okStatus();
  }
  if (value.IsDouble() && std::isfinite(value.GetDouble()) &&
      std::fabs(value.GetDouble()) < kMaxFractionalTime) {
    out = static_cast<std::int64_t>(std::floor(value.GetDouble()));
    return util::okStatus();
  }
  return util::fail(std::string("the token's \"") + name +
                    "\" is not a NumericDate (seconds since the epoch)");
}

const EVP_MD* digestOf(std::string_view alg) {
  if (alg == "RS256" || alg == "ES256") return EVP_sha256();
  if (alg == "ES384") return EVP_sha384();
  if (alg == "ES512") return EVP_sha512();
  return nullptr;
}

// JWS's ECDSA signature is r || s, each the curve's size (RFC 7518 §3.4);
// OpenSSL verifies the DER ECDSA-Sig-Value.
util::Result<std::string> ecdsaDer(const std::string& raw, std::string_view alg) {
  const std::size_t half = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
  if (raw.size() != 2 * half) {
    return util::fail("the " + std::string(alg) + " signature is " + std::to_string(raw.size()) +
                      " bytes, not " + std::to_string(2 * half));
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes, static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return util::fail(certs::takeOpenSslError("cannot read the ECDSA signature"));
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  if (len <= 0) return util::fail(certs::takeOpenSslError("cannot encode the ECDSA signature"));
  const std::unique_ptr<unsigned char, DerDeleter> owner(der);
  return std::string(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
}

}  // namespace

util::Result<Jwt> decodeJwt(std::string_view token) {
  token = trimmed(token);
  if (token.empty()) return util::fail("the token is empty");
  if (token.size() > kMaxTokenBytes)
    return util::fail("the token is larger than " + std::to_string(kMaxTokenBytes) + " bytes");
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return util::fail("the token is not a JWT: want three base64url parts separated by dots");
  }
  auto header = decodedObject(token.substr(0, dot1), "header");
  if (!header) return header.failure();
  auto claims = decodedObject(token.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  if (!claims) return claims.failure();
  auto signature = webhook::base64UrlDecode(token.substr(dot2 + 1));
  if (!signature) return util::fail("the token's signature is not base64url without padding");

  Jwt jwt;
  if (auto status = readString(*header, "alg", jwt.alg); !status) return status.failure();
  if (jwt.alg.empty()) return util::fail("the token's header has no \"alg\"");
  if (jwt.alg == "none") return util::fail("the token is unsigned (alg \"none\")");
  if (header->HasMember("kid")) {
    std::string kid;
    if (auto status = readString(*header, "kid", kid); !status) return status.failure();
    jwt.kid = std::move(kid);
  }
  for (const auto& status : {readString(*claims, "iss", jwt.iss), readString(*claims, "sub", jwt.sub),
                             readStrings(*claims, "aud", jwt.aud), readStrings(*claims, "amr", jwt.amr),
                             readTime(*claims, "exp", jwt.exp), readTime(*claims, "nbf", jwt.nbf),
                             readTime(*claims, "iat", jwt.iat)}) {
    if (!status) return status.failure();
  }
  jwt.signingInput = std::string(token.substr(0, dot2));
  jwt.signature = std::move(*signature);
  return jwt;
}

util::Status verifyJwtSignature(const Jwt& jwt, EVP_PKEY* key) {
  ERR_clear_error();
  auto keyAlg = signingAlgorithm(key);
  if (!keyAlg) return keyAlg.failure();
  const EVP_MD* digest = digestOf(jwt.alg);
  if (digest == nullptr)
    return util::fail("the token's alg \"" + jwt.alg + "\" is not RS256, ES256, ES384 or ES512");
  if (*keyAlg != jwt.alg) return util::fail("the token says " + jwt.alg + " but the key signs " + *keyAlg);
  std::string signature = jwt.signature;
  if (jwt.alg != "RS256") {
    auto der = ecdsaDer(jwt.signature, jwt.alg);
    if (!der) return der.failure();
    signature = std::move(*der);
  }
  const MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, digest, nullptr, key) != 1) {
    return util::fail(certs::takeOpenSslError("cannot set up signature verification"));
  }
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(jwt.signingInput.data()), jwt.signingInput.size());
  ERR_clear_error();
  if (verified != 1) return util::fail("the signature does not verify with this key");
  return util::okStatus();
}

}  // namespace irsa::oidc
