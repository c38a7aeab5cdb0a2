#include "test/support/OidcFixtures.hpp"

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "certs/Pem.hpp"
#include "test/support/TempDir.hpp"
#include "webhook/Base64.hpp"

namespace irsa::testsupport {

std::string oidcFixturePath(const std::string& name) {
  return std::string(IRSA_SOURCE_DIR) + "/test/fixtures/oidc/" + name;
}

std::string oidcFixture(const std::string& name) {
  return readFile(oidcFixturePath(name));
}

certs::EvpPkeyPtr fixtureKey(const std::string& name) {
  const std::string pem = oidcFixture(name);
  auto key = certs::parsePrivateKey(pem, name);
  if (!key) throw std::runtime_error(key.error());
  return std::move(*key);
}

std::string signJwt(const std::string& headerJson, const std::string& payloadJson, EVP_PKEY* key,
                    const std::string& alg) {
  const std::string input =
      webhook::base64UrlEncode(headerJson) + "." + webhook::base64UrlEncode(payloadJson);
  const EVP_MD* md = alg == "ES384" ? EVP_sha384() : alg == "ES512" ? EVP_sha512() : EVP_sha256();
  std::unique_ptr<EVP_MD_CTX, certs::OpenSslDeleter<EVP_MD_CTX_free>> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, data, input.size()) != 1) {
    throw std::runtime_error("cannot sign");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, data,
                     input.size()) != 1) {
    throw std::runtime_error("cannot sign");
  }
  signature.resize(len);
  if (alg != "RS256") {  // DER ECDSA-Sig-Value -> r || s
    const int half = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
    const auto* p = reinterpret_cast<const unsigned char*>(signature.data());
    std::unique_ptr<ECDSA_SIG, certs::OpenSslDeleter<ECDSA_SIG_free>> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(signature.size())));
    std::string raw(static_cast<std::size_t>(2 * half), '\0');
    auto* out = reinterpret_cast<unsigned char*>(raw.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, half);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + half, half);
    signature = raw;
  }
  return input + "." + webhook::base64UrlEncode(signature);
}

}  // namespace irsa::testsupport
