#include "oidc/Jwk.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string_view>

#include "certs/Pem.hpp"
#include "oidc/PublicKeys.hpp"
#include "webhook/Base64.hpp"

namespace irsa::oidc {
namespace {

using ParamBuildPtr = std::unique_ptr<OSSL_PARAM_BLD, certs::OpenSslDeleter<OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, certs::OpenSslDeleter<OSSL_PARAM_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, certs::OpenSslDeleter<EVP_PKEY_CTX_free>>;

struct Curve {
  const char* jwkName;
  const char* opensslName;
  int bytes;  // the field size a coordinate is padded to
};
constexpr Curve kCurves[] = {
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
};

const Curve* curveOfAlgorithm(std::string_view alg) {
  if (alg == "ES256") return &kCurves[0];
  if (alg == "ES384") return &kCurves[1];
  if (alg == "ES512") return &kCurves[2];
  return nullptr;
}

const Curve* curveNamed(std::string_view jwkName) {
  for (const Curve& curve : kCurves) {
    if (jwkName == curve.jwkName) return &curve;
  }
  return nullptr;
}

util::Result<BIGNUM*> bignumParam(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
    return util::fail(certs::takeOpenSslError(std::string("cannot read the key's ") + name));
  }
  return bn;
}

// `bn` big-endian in exactly `width` bytes, or minimally when width is 0.
std::string bignumBytes(const BIGNUM* bn, int width) {
  const int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  if (width > 0) {
    BN_bn2binpad(bn, bytes, width);
  } else {
    BN_bn2bin(bn, bytes);
  }
  return out;
}

util::Result<std::string> encodedParam(EVP_PKEY* key, const char* name, int width) {
  auto bn = bignumParam(key, name);
  if (!bn) return bn.failure();
  const certs::BignumPtr owner(*bn);
  return webhook::base64UrlEncode(bignumBytes(owner.get(), width));
}

util::Result<std::string> decodedMember(const std::string& value, const char* member) {
  if (value.empty()) return util::fail(std::string("the JWK has no \"") + member + "\"");
  auto bytes = webhook::base64UrlDecode(value);
  if (!bytes) return util::fail(std::string("the JWK's \"") + member + "\" is not base64url without padding");
  if (bytes->empty()) return util::fail(std::string("the JWK's \"") + member + "\" is empty");
  return std::move(*bytes);
}

util::Result<certs::EvpPkeyPtr> keyFromParams(const char* type, OSSL_PARAM_BLD* build) {
  const ParamsPtr params(OSSL_PARAM_BLD_to_param(build));
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return util::fail("invalid key material: " + certs::takeOpenSslError("refused by OpenSSL"));
  }
  certs::EvpPkeyPtr key(raw);
  if (auto valid = checkPublicKey(key.get()); !valid) return valid.failure();
  return key;
}

util::Result<certs::EvpPkeyPtr> rsaKeyOfJwk(const Jwk& jwk) {
  auto n = decodedMember(jwk.n, "n");
  if (!n) return n.failure();
  auto e = decodedMember(jwk.e, "e");
  if (!e) return e.failure();
  const certs::BignumPtr modulus(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr));
  const certs::BignumPtr exponent(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), static_cast<int>(e->size()), nullptr));
  const ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return util::fail(certs::takeOpenSslError("cannot build the RSA key"));
  }
  return keyFromParams("RSA", build.get());
}

util::Result<certs::EvpPkeyPtr> ecKeyOfJwk(const Jwk& jwk) {
  const Curve* curve = curveNamed(jwk.crv);
  if (curve == nullptr) return util::fail("the JWK's curve \"" + jwk.crv + "\" is not P-256, P-384 or P-521");
  auto x = decodedMember(jwk.x, "x");
  if (!x) return x.failure();
  auto y = decodedMember(jwk.y, "y");
  if (!y) return y.failure();
  const auto width = static_cast<std::size_t>(curve->bytes);
  if (x->size() != width || y->size() != width) {
    return util::fail("the JWK's \"x\" and \"y\" must be " + std::to_string(width) + " bytes for " + jwk.crv);
  }
  std::string point = "\x04" + *x + *y;  // SEC 1 uncompressed
  const ParamBuildPtr build(OSSL_PARAM_BLD_new());
  if (!build ||
      OSSL_PARAM_BLD_push_utf8_string(build.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->opensslName, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(build.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) !=
          1) {
    return util::fail(certs::takeOpenSslError("cannot build the EC key"));
  }
  return keyFromParams("EC", build.get());
}

}  // namespace

util::Result<Jwk> jwkOfKey(EVP_PKEY* key) {
  auto alg = signingAlgorithm(key);
  if (!alg) return alg.failure();
  auto kid = keyId(key);
  if (!kid) return kid.failure();
  Jwk jwk;
  jwk.use = "sig";
  jwk.kid = std::move(*kid);
  jwk.alg = *alg;
  if (const Curve* curve = curveOfAlgorithm(*alg)) {
    jwk.kty = "EC";
    jwk.crv = curve->jwkName;
    auto x = encodedParam(key, OSSL_PKEY_PARAM_EC_PUB_X, curve->bytes);
    if (!x) return x.failure();
    auto y = encodedParam(key, OSSL_PKEY_PARAM_EC_PUB_Y, curve->bytes);
    if (!y) return y.failure();
    jwk.x = std::move(*x);
    jwk.y = std::move(*y);
    return jwk;
  }
  jwk.kty = "RSA";
  auto n = encodedParam(key, OSSL_PKEY_PARAM_RSA_N, 0);
  if (!n) return n.failure();
  auto e = encodedParam(key, OSSL_PKEY_PARAM_RSA_E, 0);
  if (!e) return e.failure();
  jwk.n = std::move(*n);
  jwk.e = std::move(*e);
  return jwk;
}

util::Result<certs::EvpPkeyPtr> keyOfJwk(const Jwk& jwk) {
  ERR_clear_error();
  if (jwk.kty == "RSA") return rsaKeyOfJwk(jwk);
  if (jwk.kty == "EC") return ecKeyOfJwk(jwk);
  if (jwk.kty.empty()) return util::fail("the JWK has no \"kty\"");
  return util::fail("the JWK's kty \"" + jwk.kty + "\" is not supported: want RSA or EC");
}

}  // namespace irsa::oidc
