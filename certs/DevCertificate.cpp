#include "certs/DevCertificate.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "certs/OpenSslHandles.hpp"
#include "certs/Pem.hpp"
#include "util/Files.hpp"

namespace irsa::certs {
namespace {

// Backdate notBefore so a peer whose clock runs a little behind accepts the
// certificate right after it is generated.
constexpr long kBackdateSeconds = 5L * 60;
constexpr int kSerialBytes = 16;  // 128 random bits, as Go's crypto/x509 users do

util::Result<EvpPkeyPtr> newP256Key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return util::fail("cannot generate P-256 key: " + takeOpenSslError());
  return key;
}

bool setRandomSerial(X509* cert) {
  unsigned char bytes[kSerialBytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[kSerialBytes - 1] |= 1;  // never zero, which RFC 5280 forbids
  BignumPtr bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool setCommonName(X509* cert, const std::string& cn) {
  X509NamePtr name(X509_NAME_new());
  if (!name) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(cn.c_str());
  if (X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8, bytes, -1, -1, 0) != 1) return false;
  return X509_set_subject_name(cert, name.get()) == 1;  // copies
}

// A version-3 certificate for `key` with serial, subject, validity, public key;
// extensions and signature come next.
util::Result<X509Ptr> newCertificate(const std::string& cn, EVP_PKEY* key, std::chrono::hours validity) {
  X509Ptr cert(X509_new());
  const long long total = std::chrono::duration_cast<std::chrono::seconds>(validity).count();
  const bool ok = cert && X509_set_version(cert.get(), X509_VERSION_3) == 1 && setRandomSerial(cert.get()) &&
                  setCommonName(cert.get(), cn) &&
                  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kBackdateSeconds) != nullptr &&
                  X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(total / 86400),
                                   static_cast<long>(total % 86400), nullptr) != nullptr &&
                  X509_set_pubkey(cert.get(), key) == 1;
  if (!ok) return util::fail("cannot build certificate " + cn + ": " + takeOpenSslError());
  return cert;
}

// `issuer` may equal `cert` (self-signed CA).
bool addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

// Built structurally, not as a "DNS:a,IP:b" config string, so a name with a
// comma cannot smuggle in another entry.
util::Result<bool> addSubjectAltNames(X509* cert, const DevCertificateOptions& options) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return util::fail("out of memory");
  auto add = [&](int type, const std::string& value) -> util::Result<bool> {
    GeneralNamePtr name(a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, value.c_str(), 0));
    if (value.empty() || !name) {
      ERR_clear_error();
      return util::fail(std::string(type == GEN_IPADD ? "invalid IP address" : "invalid DNS name") + " \"" +
                        value + "\" for dev certificate");
    }
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) return util::fail("out of memory");
    static_cast<void>(name.release());  // owned by the stack now
    return true;
  };
  for (const auto& dns : options.dnsNames) {
    if (auto r = add(GEN_DNS, dns); !r) return r.failure();
  }
  for (const auto& ip : options.ipAddresses) {
    if (auto r = add(GEN_IPADD, ip); !r) return r.failure();
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return util::fail("cannot add subjectAltName: " + takeOpenSslError());
  }
  return true;
}

util::Result<bool> sign(X509* cert, EVP_PKEY* issuerKey) {
  if (X509_sign(cert, issuerKey, EVP_sha256()) <= 0) {
    return util::fail("cannot sign certificate: " + takeOpenSslError());
  }
  return true;
}

}  // namespace

util::Result<DevCertificate> generateDevCertificate(const DevCertificateOptions& options) {
  if (options.validity.count() <= 0) return util::fail("dev certificate validity must be positive");
  if (options.dnsNames.empty() && options.ipAddresses.empty()) {
    return util::fail("dev certificate needs at least one DNS name or IP address");
  }
  ERR_clear_error();
  auto caKey = newP256Key();
  if (!caKey) return caKey.failure();
  auto leafKey = newP256Key();
  if (!leafKey) return leafKey.failure();

  auto ca = newCertificate(options.commonName + " dev CA", caKey->get(), options.validity);
  if (!ca) return ca.failure();
  X509* caCert = ca->get();
  // The issuer name must be set before extensions that reference it (AKI).
  if (X509_set_issuer_name(caCert, X509_get_subject_name(caCert)) != 1 ||
      !addExtension(caCert, caCert, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !addExtension(caCert, caCert, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !addExtension(caCert, caCert, NID_subject_key_identifier, "hash")) {
    return util::fail("cannot build dev CA: " + takeOpenSslError());
  }
  if (auto r = sign(caCert, caKey->get()); !r) return r.failure();

  auto leaf = newCertificate(options.commonName, leafKey->get(), options.validity);
  if (!leaf) return leaf.failure();
  X509* leafCert = leaf->get();
  const char* eku = options.clientAuth ? "serverAuth,clientAuth" : "serverAuth";
  if (X509_set_issuer_name(leafCert, X509_get_subject_name(caCert)) != 1 ||
      !addExtension(leafCert, caCert, NID_basic_constraints, "critical,CA:FALSE") ||
      !addExtension(leafCert, caCert, NID_key_usage, "critical,digitalSignature") ||
      !addExtension(leafCert, caCert, NID_ext_key_usage, eku) ||
      !addExtension(leafCert, caCert, NID_subject_key_identifier, "hash") ||
      !addExtension(leafCert, caCert, NID_authority_key_identifier, "keyid:always")) {
    return util::fail("cannot build dev serving certificate: " + takeOpenSslError());
  }
  if (auto r = addSubjectAltNames(leafCert, options); !r) return r.failure();
  if (auto r = sign(leafCert, caKey->get()); !r) return r.failure();

  auto caPem = certificateToPem(caCert);
  auto leafPem = certificateToPem(leafCert);
  auto keyPem = privateKeyToPem(leafKey->get());
  if (!caPem) return caPem.failure();
  if (!leafPem) return leafPem.failure();
  if (!keyPem) return keyPem.failure();
  return DevCertificate{std::move(caPem).value(), std::move(leafPem).value(), std::move(keyPem).value()};
}

util::Result<bool> writeDevCertificate(const DevCertificate& cert, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return util::fail("create " + dir + ": " + ec.message());
  const std::filesystem::path base(dir);
  // Key before certificate: a reader racing us sees at worst new key + old
  // cert, which KeyPair rejects as a mismatch, and the next event retries.
  if (auto r = util::writeFileAtomically(base / "ca.crt", cert.caCertPem, 0644); !r) return r.failure();
  if (auto r = util::writeFileAtomically(base / "tls.key", cert.keyPem, 0600); !r) return r.failure();
  if (auto r = util::writeFileAtomically(base / "tls.crt", cert.certPem, 0644); !r) return r.failure();
  return true;
}

}  // namespace irsa::certs
