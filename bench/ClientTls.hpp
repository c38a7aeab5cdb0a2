#pragma once
// The load generator's TLS client side. Like a kube-apiserver calling a
// webhook without a session cache: every new connection is a full handshake,
// never a resumption, so handshake costs are measured as they are.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "bench/TargetUrl.hpp"
#include "util/Result.hpp"

namespace irsa::bench {

struct ClientTlsOptions {
  std::string caFile;    // trust only this CA and verify the host name or IP
  bool insecure{false};  // or verify nothing
};

util::Result<std::unique_ptr<boost::asio::ssl::context>> makeClientTlsContext(
    const ClientTlsOptions& options);

// Per connection: SNI for host names and the name or IP the certificate must
// carry when verifying. Returns false if OpenSSL refused a setting.
bool prepareClientSsl(SSL* ssl, const TargetUrl& url, const ClientTlsOptions& options);

}  // namespace irsa::bench
