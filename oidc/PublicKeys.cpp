#include "oidc/PublicKeys.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <limits>
#include <memory>

#include "certs/Pem.hpp"
#include "webhook/Base64.hpp"

namespace irsa::oidc {
namespace {

// DER that i2d_* allocated; OPENSSL_free is a macro, so it is wrapped.
struct DerDeleter {
  void operator()(unsigned char* p) const { OPENSSL_free(p); }
};
using DerPtr = std::unique_ptr<unsigned char, DerDeleter>;

// What PEM_read_bio hands out, freed on every path.
struct PemBlock {
  char* name{nullptr};
  char* header{nullptr};
  unsigned char* data{nullptr};
  long length{0};
  ~PemBlock() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
};

bool isNoStartLine(unsigned long err) {
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

// A key with only its public half (a private key's DER round-tripped
// through SubjectPublicKeyInfo), so nothing downstream can hold a secret.
util::Result<certs::EvpPkeyPtr> publicHalf(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return util::fail(certs::takeOpenSslError("cannot encode the public key"));
  DerPtr owner(der);
  const unsigned char* p = der;
  certs::EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, len));
  if (!pub) return util::fail(certs::takeOpenSslError("cannot decode the public key"));
  return pub;
}

bool isKeyBlock(const std::string& name) {
  return name == "PUBLIC KEY" || name == "RSA PUBLIC KEY" || name == "CERTIFICATE" || name == "PRIVATE KEY" ||
         name == "RSA PRIVATE KEY" || name == "EC PRIVATE KEY";
}

// The public key of one PEM block whose name isKeyBlock().
util::Result<certs::EvpPkeyPtr> keyOfBlock(const std::string& name, const unsigned char* data, long length) {
  const unsigned char* p = data;
  certs::EvpPkeyPtr key;
  if (name == "PUBLIC KEY") {
    key.reset(d2i_PUBKEY(nullptr, &p, length));
  } else if (name == "RSA PUBLIC KEY") {
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, length));
  } else if (name == "CERTIFICATE") {
    certs::X509Ptr cert(d2i_X509(nullptr, &p, length));
    if (cert) key.reset(X509_get_pubkey(cert.get()));
  } else {  // a private key of any of the three encodings
    certs::EvpPkeyPtr priv(d2i_AutoPrivateKey(nullptr, &p, length));
    if (priv) return publicHalf(priv.get());
  }
  if (!key) return util::fail("malformed key: " + certs::takeOpenSslError("not DER"));
  return publicHalf(key.get());
}

}  // namespace

util::Status checkPublicKey(EVP_PKEY* key) {
  const std::unique_ptr<EVP_PKEY_CTX, certs::OpenSslDeleter<EVP_PKEY_CTX_free>> ctx(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx || EVP_PKEY_public_check(ctx.get()) != 1) {
    return util::fail("the public key fails its check: " + certs::takeOpenSslError("refused by OpenSSL"));
  }
  return util::okStatus();
}

util::Result<std::string> signingAlgorithm(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return std::string("RS256");
    case EVP_PKEY_EC: {
      char group[64] = {0};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) != 1) {
        ERR_clear_error();
        return util::fail("EC key without a named curve (explicit parameters are not supported)");
      }
      const std::string curve(group, len);
      if (curve == "prime256v1" || curve == "P-256") return std::string("ES256");
      if (curve == "secp384r1" || curve == "P-384") return std::string("ES384");
      if (curve == "secp521r1" || curve == "P-521") return std::string("ES512");
      return util::fail("EC curve " + curve + " is not supported: want P-256, P-384 or P-521");
    }
    default: {
      const char* type = EVP_PKEY_get0_type_name(key);
      return util::fail(std::string(type != nullptr ? type : "unknown") +
                        " keys are not supported: want RSA or EC P-256, P-384, P-521");
    }
  }
}

util::Result<std::string> keyId(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
    // A point read in compressed form is written back the same way; Go's
    // x509.MarshalPKIXPublicKey always writes it uncompressed.
    if (EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                       OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
      return util::fail(certs::takeOpenSslError("cannot set the EC point format"));
    }
  }
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return util::fail(certs::takeOpenSslError("cannot encode the public key"));
  DerPtr owner(der);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<std::size_t>(len), digest);
  return webhook::base64UrlEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

util::Result<std::vector<certs::EvpPkeyPtr>> parsePublicKeys(std::string_view pem, std::string_view source) {
  if (pem.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return util::fail(std::string(source) + ": too large");
  }
  ERR_clear_error();
  certs::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return util::fail("cannot read " + std::string(source) + ": " + certs::takeOpenSslError());
  std::vector<certs::EvpPkeyPtr> keys;
  for (int index = 1;; ++index) {
    PemBlock block;
    if (PEM_read_bio(bio.get(), &block.name, &block.header, &block.data, &block.length) != 1) {
      if (isNoStartLine(ERR_peek_last_error())) {
        ERR_clear_error();
        if (keys.empty()) return util::fail("no PEM public or private key found in " + std::string(source));
        return keys;
      }
      return util::fail("invalid PEM block #" + std::to_string(index) + " in " + std::string(source) + ": " +
                        certs::takeOpenSslError());
    }
    const std::string name(block.name);
    const std::string where = std::string(source) + " (" + name + " #" + std::to_string(index) + ")";
    if (name == "ENCRYPTED PRIVATE KEY" || (block.header != nullptr && block.header[0] != '\0')) {
      return util::fail(where + ": encrypted keys are not supported");
    }
    if (name == "EC PARAMETERS" || name == "DH PARAMETERS") continue;  // beside a key, not one
    if (!isKeyBlock(name)) return util::fail(where + ": not a public key, private key or certificate");
    auto key = keyOfBlock(name, block.data, block.length);
    if (!key) return key.failure().within(where);
    if (auto alg = signingAlgorithm(key->get()); !alg) return alg.failure().within(where);
    if (auto valid = checkPublicKey(key->get()); !valid) return valid.failure().within(where);
    keys.push_back(std::move(*key));
  }
}

}  // namespace irsa::oidc
