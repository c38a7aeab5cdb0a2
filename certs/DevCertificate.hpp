#pragma once
// Development certificates: a throw-away ECDSA P-256 CA and a serving
// certificate it signs, so `serve` can run locally (and tests can handshake)
// without cert-manager. Not for production: the CA key is discarded.

#include <chrono>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::certs {

struct DevCertificateOptions {
  std::vector<std::string> dnsNames{"localhost"};
  std::vector<std::string> ipAddresses{"127.0.0.1", "::1"};
  std::string commonName{"irsa-webhook"};
  std::chrono::hours validity{24 * 365};
  // Also allow the leaf as a TLS client certificate (mTLS tests and clients).
  bool clientAuth{false};
};

struct DevCertificate {
  std::string caCertPem;
  std::string certPem;  // the serving (leaf) certificate only
  std::string keyPem;   // unencrypted PKCS#8
};

util::Result<DevCertificate> generateDevCertificate(const DevCertificateOptions& options);

// Writes ca.crt, tls.crt and tls.key (mode 0600) into `dir`, creating it.
// Each file is written to a temporary name and renamed, so a watcher or a
// concurrent reader never sees a half-written file.
util::Result<bool> writeDevCertificate(const DevCertificate& cert, const std::string& dir);

}  // namespace irsa::certs
