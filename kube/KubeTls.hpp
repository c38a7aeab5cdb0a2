#pragma once
// TLS towards the API server: one client context per cluster (trust, client
// certificate, TLS 1.2+) and the per-connection settings (SNI and the name
// or IP the certificate must match). Host checking is OpenSSL's own
// (X509_VERIFY_PARAM), which covers DNS and IP SANs and names the mismatch
// in the handshake error.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "kube/ClusterConfig.hpp"
#include "util/Result.hpp"

namespace irsa::kube {

// Verifies against config.caPem (system roots when empty) unless
// insecureSkipTlsVerify; presents clientCertPem/clientKeyPem when given.
// The context is immutable afterwards and shared by all connections.
util::Result<std::shared_ptr<boost::asio::ssl::context>> makeKubeTlsContext(const ClusterConfig& config);

// Sets SNI (DNS names only, as Go does) and the expected peer name on one
// connection's SSL object before its handshake.
util::Status prepareKubeTlsConnection(SSL* ssl, const std::string& serverName, bool verifyPeer);

// Why the last handshake's certificate check failed ("" if it did not).
std::string kubeTlsVerifyError(SSL* ssl);

}  // namespace irsa::kube
