#include "kube/KubeTls.hpp"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

#include "certs/KeyPair.hpp"
#include "certs/Pem.hpp"

namespace irsa::kube {

namespace ssl = boost::asio::ssl;

util::Result<std::shared_ptr<ssl::context>> makeKubeTlsContext(const ClusterConfig& config) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return util::fail("TLS: " + certs::takeOpenSslError("cannot require TLS 1.2"));
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);

  if (config.insecureSkipTlsVerify) {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
    if (config.caPem.empty()) {
      if (SSL_CTX_set_default_verify_paths(native) != 1) {
        return util::fail("TLS: " + certs::takeOpenSslError("cannot load the system CA certificates"));
      }
    } else {
      auto cas = certs::parseCertificates(config.caPem, "the cluster CA");
      if (!cas) return cas.failure().within("TLS");
      X509_STORE* store = SSL_CTX_get_cert_store(native);
      for (const auto& ca : *cas) {
        if (X509_STORE_add_cert(store, ca.get()) != 1) {
          // A bundle may repeat a certificate; that is not an error.
          const unsigned long err = ERR_peek_last_error();
          if (ERR_GET_REASON(err) != X509_R_CERT_ALREADY_IN_HASH_TABLE) {
            return util::fail("TLS: cluster CA: " + certs::takeOpenSslError());
          }
          ERR_clear_error();
        }
      }
    }
  }

  if (!config.clientCertPem.empty() || !config.clientKeyPem.empty()) {
    // KeyPair checks parse errors and that the key matches, with one-line errors.
    auto pair = certs::KeyPair::fromPem(config.clientCertPem, config.clientKeyPem);
    if (!pair) return pair.failure().within("TLS client certificate");
    if (SSL_CTX_use_certificate(native, pair->leaf()) != 1 ||
        SSL_CTX_use_PrivateKey(native, pair->privateKey()) != 1) {
      return util::fail("TLS client certificate: " + certs::takeOpenSslError());
    }
    for (X509* cert : pair->intermediates()) {
      if (SSL_CTX_add1_chain_cert(native, cert) != 1) {
        return util::fail("TLS client certificate chain: " + certs::takeOpenSslError());
      }
    }
  }
  return ctx;
}

util::Status prepareKubeTlsConnection(SSL* ssl, const std::string& serverName, bool verifyPeer) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(serverName, ec);
  const bool isIp = !ec;
  if (!isIp && !serverName.empty() && SSL_set_tlsext_host_name(ssl, serverName.c_str()) != 1) {
    return util::fail("TLS: " + certs::takeOpenSslError("cannot set SNI"));
  }
  if (!verifyPeer) return util::okStatus();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const int rc = isIp ? X509_VERIFY_PARAM_set1_ip_asc(param, serverName.c_str())
                      : X509_VERIFY_PARAM_set1_host(param, serverName.c_str(), serverName.size());
  if (rc != 1) return util::fail("TLS: " + certs::takeOpenSslError("cannot set the name to verify"));
  return util::okStatus();
}

std::string kubeTlsVerifyError(SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  if (result == X509_V_OK) return {};
  return X509_verify_cert_error_string(result);
}

}  // namespace irsa::kube
