#include "bench/ClientTls.hpp"

#include <openssl/x509v3.h>

namespace irsa::bench {

namespace ssl = boost::asio::ssl;

util::Result<std::unique_ptr<ssl::context>> makeClientTlsContext(const ClientTlsOptions& options) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(native, kAlpn, sizeof(kAlpn));
  if (options.insecure) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  boost::system::error_code ec;
  ctx->load_verify_file(options.caFile, ec);
  if (ec) return util::fail("--ca-file " + options.caFile + ": " + ec.message());
  ctx->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return util::fail("TLS verify mode: " + ec.message());
  return ctx;
}

bool prepareClientSsl(SSL* ssl, const TargetUrl& url, const ClientTlsOptions& options) {
  if (!url.hostIsIp && SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1) return false;
  if (options.insecure) return true;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (url.hostIsIp) return X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str()) == 1;
  return X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), url.host.size()) == 1;
}

}  // namespace irsa::bench
