#pragma once
// A validated serving certificate chain and its private key. Construction
// checks everything a TLS context would reject later (parse errors, key
// mismatch), so a bad Secret is reported once, in one line, at load time.

#include <chrono>
#include <string>
#include <vector>

#include "certs/OpenSslHandles.hpp"
#include "util/Result.hpp"

namespace irsa::certs {

class KeyPair {
 public:
  // Reads both files; errors name the file ("tls cert /x: no such file").
  static util::Result<KeyPair> loadFiles(const std::string& certPath, const std::string& keyPath);
  // `certPem` holds the leaf first, then optional intermediates.
  static util::Result<KeyPair> fromPem(std::string certPem, std::string keyPem);

  KeyPair(KeyPair&&) noexcept = default;
  KeyPair& operator=(KeyPair&&) noexcept = default;
  KeyPair(const KeyPair&) = delete;
  KeyPair& operator=(const KeyPair&) = delete;
  ~KeyPair() = default;

  const std::string& certPem() const { return certPem_; }
  const std::string& keyPem() const { return keyPem_; }
  std::chrono::system_clock::time_point notAfter() const { return notAfter_; }

  // Non-owning views for SSL_CTX_use_cert_and_key (which takes its own refs).
  X509* leaf() const { return chain_.front().get(); }
  EVP_PKEY* privateKey() const { return key_.get(); }
  // Intermediates only (without the leaf), in file order.
  std::vector<X509*> intermediates() const;

 private:
  KeyPair() = default;
  static util::Result<KeyPair> parse(std::string certPem, std::string keyPem, const std::string& certSource,
                                     const std::string& keySource);

  std::string certPem_;
  std::string keyPem_;
  std::vector<X509Ptr> chain_;  // never empty once constructed
  EvpPkeyPtr key_;
  std::chrono::system_clock::time_point notAfter_{};
};

}  // namespace irsa::certs
