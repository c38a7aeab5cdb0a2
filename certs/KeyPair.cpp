#include "certs/KeyPair.hpp"

#include <openssl/err.h>

#include "certs/Pem.hpp"

namespace irsa::certs {

util::Result<KeyPair> KeyPair::loadFiles(const std::string& certPath, const std::string& keyPath) {
  auto certPem = readPemFile(certPath, "tls cert");
  if (!certPem) return certPem.failure();
  auto keyPem = readPemFile(keyPath, "tls key");
  if (!keyPem) return keyPem.failure();
  return parse(std::move(certPem).value(), std::move(keyPem).value(), "tls cert " + certPath,
               "tls key " + keyPath);
}

util::Result<KeyPair> KeyPair::fromPem(std::string certPem, std::string keyPem) {
  return parse(std::move(certPem), std::move(keyPem), "tls cert", "tls key");
}

util::Result<KeyPair> KeyPair::parse(std::string certPem, std::string keyPem, const std::string& certSource,
                                     const std::string& keySource) {
  auto chain = parseCertificates(certPem, certSource);
  if (!chain) return chain.failure();
  auto key = parsePrivateKey(keyPem, keySource);
  if (!key) return key.failure();

  // The one check that catches a Secret updated half-way (new cert, old key).
  ERR_clear_error();
  if (X509_check_private_key(chain->front().get(), key->get()) != 1) {
    ERR_clear_error();
    return util::fail("tls key does not match certificate (" + keySource + ", " + certSource + ")");
  }
  auto notAfter = toTimePoint(X509_get0_notAfter(chain->front().get()));
  if (!notAfter) return notAfter.failure().within(certSource);

  KeyPair pair;
  pair.certPem_ = std::move(certPem);
  pair.keyPem_ = std::move(keyPem);
  pair.chain_ = std::move(chain).value();
  pair.key_ = std::move(key).value();
  pair.notAfter_ = *notAfter;
  return pair;
}

std::vector<X509*> KeyPair::intermediates() const {
  std::vector<X509*> out;
  for (std::size_t i = 1; i < chain_.size(); ++i)
    out.push_back(chain_[i].get());
  return out;
}

}  // namespace irsa::certs
