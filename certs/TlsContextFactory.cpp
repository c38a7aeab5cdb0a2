#include "certs/TlsContextFactory.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <exception>
#include <string_view>

#include "certs/Pem.hpp"

namespace irsa::certs {
namespace {

namespace ssl = boost::asio::ssl;

// ECDHE key exchange with AEAD ciphers only: forward secrecy, no CBC padding
// oracles. ECDSA first because our own certificates are P-256.
constexpr const char* kDefaultTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kDefaultTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
// Explicit rather than relying on the library default, which may add FFDHE.
constexpr const char* kGroups = "X25519:P-256:P-384";
constexpr long kSessionCacheSize = 1024;                        // apiservers reconnect; a few per replica
constexpr long kSessionTimeoutSeconds = 300;                    // OpenSSL's own default, stated
constexpr std::string_view kSessionIdContext = "irsa-webhook";  // required once peers are verified

struct Suite {
  std::string_view go;
  std::string_view openssl;
  bool tls13;
};

// The names Go's crypto/tls (and the reference's --tls-cipher-suites via
// k8s component-base) accepts, including the legacy CHACHA20 aliases.
constexpr Suite kSuites[] = {
    {"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", true},
    {"TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384", true},
    {"TLS_CHACHA20_POLY1305_SHA256", "TLS_CHACHA20_POLY1305_SHA256", true},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", false},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", false},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", false},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", false},
    {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", false},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", false},
    {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", false},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", false},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", false},
    {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", false},
    {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA", false},
    {"TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256", false},
};

// Go accepts these names but OpenSSL 3 cannot (RC4) or should not (3DES,
// Sweet32) negotiate them; say so instead of "unknown".
constexpr std::string_view kRefusedSuites[] = {
    "TLS_RSA_WITH_RC4_128_SHA",      "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",    "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
    "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

void appendTo(std::string& list, std::string_view name) {
  if (!list.empty()) list.push_back(':');
  list.append(name);
}

// Select http/1.1 when offered; otherwise decline ALPN instead of failing the
// handshake. Never h2: the server speaks HTTP/1.1 only.
int selectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void* /*arg*/) {
  constexpr std::string_view kHttp11 = "http/1.1";
  for (unsigned int i = 0; i < inlen;) {
    const unsigned int len = in[i];
    if (len == 0 || i + 1 + len > inlen) break;  // malformed list: treat as no match
    const unsigned char* proto = in + i + 1;
    if (len == kHttp11.size() && std::memcmp(proto, kHttp11.data(), len) == 0) {
      *out = proto;
      *outlen = static_cast<unsigned char>(len);
      return SSL_TLSEXT_ERR_OK;
    }
    i += 1 + len;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }  // elements are borrowed
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

util::Result<bool> useKeyPair(SSL_CTX* ctx, const KeyPair& keyPair) {
  X509StackPtr chain(sk_X509_new_null());
  if (!chain) return util::fail("out of memory");
  for (X509* cert : keyPair.intermediates()) {
    if (sk_X509_push(chain.get(), cert) <= 0) return util::fail("out of memory");
  }
  // Takes its own references to leaf, key and chain.
  if (SSL_CTX_use_cert_and_key(ctx, keyPair.leaf(), keyPair.privateKey(), chain.get(), 1) != 1 ||
      SSL_CTX_check_private_key(ctx) != 1) {
    return util::fail("cannot use tls certificate: " + takeOpenSslError());
  }
  return true;
}

util::Result<bool> requireClientCertificates(SSL_CTX* ctx, const std::string& caFile) {
  auto pem = readPemFile(caFile, "client ca file");
  if (!pem) return pem.failure();
  auto cas = parseCertificates(*pem, "client ca file " + caFile);
  if (!cas) return cas.failure();

  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (store == nullptr) return util::fail("out of memory");
  // Trust for verification, and advertise the names in CertificateRequest so
  // clients with several certificates pick the right one.
  for (const auto& ca : *cas) {
    if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
      return util::fail("client ca file " + caFile + ": " + takeOpenSslError());
    }
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  return true;
}

}  // namespace

util::Result<int> parseMinTlsVersion(const std::string& name) {
  if (name.empty() || name == "1.2" || name == "VersionTLS12") return TLS1_2_VERSION;
  if (name == "1.3" || name == "VersionTLS13") return TLS1_3_VERSION;
  if (isBelowTlsFloor(name)) return TLS1_2_VERSION;
  return util::fail("unknown tls min version \"" + name + "\" (want 1.2, 1.3, VersionTLS12 or VersionTLS13)");
}

bool isBelowTlsFloor(const std::string& name) {
  return name == "1.0" || name == "1.1" || name == "VersionTLS10" || name == "VersionTLS11";
}

util::Result<CipherConfig> mapCipherSuites(const std::vector<std::string>& names) {
  CipherConfig config;
  for (const auto& raw : names) {
    const std::string_view name = trim(raw);
    if (name.empty()) continue;
    bool found = false;
    for (const auto& suite : kSuites) {
      if (suite.go != name) continue;
      appendTo(suite.tls13 ? config.tls13 : config.tls12, suite.openssl);
      found = true;
      break;
    }
    if (found) continue;
    for (const auto refused : kRefusedSuites) {
      if (refused == name) {
        return util::fail("tls cipher suite " + std::string(name) + " is insecure and not supported");
      }
    }
    return util::fail("unknown tls cipher suite \"" + std::string(name) + "\"");
  }
  if (config.tls12.empty()) config.tls12 = kDefaultTls12Ciphers;
  if (config.tls13.empty()) config.tls13 = kDefaultTls13Suites;
  return config;
}

util::Result<std::shared_ptr<ssl::context>> makeServerContext(const KeyPair& keyPair,
                                                              const TlsOptions& options) {
  auto minVersion = parseMinTlsVersion(options.minVersion);
  if (!minVersion) return minVersion.failure();
  auto ciphers = mapCipherSuites(options.cipherSuites);
  if (!ciphers) return ciphers.failure();

  // asio's constructor throws on allocation failure; keep that inside.
  std::shared_ptr<ssl::context> context;
  try {
    context = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return util::fail(std::string("cannot create TLS context: ") + e.what());
  }
  SSL_CTX* ctx = context->native_handle();
  ERR_clear_error();

  // No max version: TLS 1.3 is negotiated whenever the client offers it.
  if (SSL_CTX_set_min_proto_version(ctx, *minVersion) != 1) {
    return util::fail("cannot set tls min version: " + takeOpenSslError());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) {
    return util::fail("cannot set ECDH groups: " + takeOpenSslError());
  }
  if (SSL_CTX_set_cipher_list(ctx, ciphers->tls12.c_str()) != 1) {
    return util::fail("tls cipher suites not supported by this OpenSSL: " + ciphers->tls12);
  }
  if (SSL_CTX_set_ciphersuites(ctx, ciphers->tls13.c_str()) != 1) {
    return util::fail("tls 1.3 cipher suites not supported by this OpenSSL: " + ciphers->tls13);
  }
  if (auto r = useKeyPair(ctx, keyPair); !r) return r.failure();

  SSL_CTX_set_alpn_select_cb(ctx, selectAlpn, nullptr);

  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(ctx, kSessionCacheSize);
  SSL_CTX_set_timeout(ctx, kSessionTimeoutSeconds);
  if (SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char*>(kSessionIdContext.data()),
                                     static_cast<unsigned int>(kSessionIdContext.size())) != 1) {
    return util::fail("cannot set tls session id context: " + takeOpenSslError());
  }

  if (!options.clientCaFile.empty()) {
    if (auto r = requireClientCertificates(ctx, options.clientCaFile); !r) return r.failure();
  }
  ERR_clear_error();
  return context;
}

}  // namespace irsa::certs
