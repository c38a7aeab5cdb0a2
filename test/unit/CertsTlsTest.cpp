// TlsContextFactory: real handshakes on 127.0.0.1 (port 0) against the server
// context, plus the option parsing that feeds it.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <string>

#include "certs/DevCertificate.hpp"
#include "certs/KeyPair.hpp"
#include "certs/TlsContextFactory.hpp"
#include "test/support/IoPump.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::certs {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

using testsupport::runUntil;

struct Outcome {
  bool finished = false;
  boost::system::error_code server;
  boost::system::error_code client;
  int version = 0;     // as negotiated, seen by the server
  std::string alpn;    // as seen by the client
  std::string cipher;  // as seen by the client
  bool serverSawClientCert = false;
};

// One TLS handshake between `serverCtx` and `clientCtx` over loopback. The
// client checks the server certificate for "localhost".
Outcome handshake(ssl::context& serverCtx, ssl::context& clientCtx, const std::string& alpnWire = "") {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  ssl::stream<tcp::socket> server(ioc, serverCtx);
  ssl::stream<tcp::socket> client(ioc, clientCtx);
  Outcome out;
  bool serverDone = false;
  bool clientDone = false;

  acceptor.async_accept(server.next_layer(), [&](const boost::system::error_code& ec) {
    if (ec) {
      out.server = ec;
      serverDone = true;
      return;
    }
    server.async_handshake(ssl::stream_base::server, [&](const boost::system::error_code& hec) {
      out.server = hec;
      serverDone = true;
      if (hec) {
        boost::system::error_code ignored;
        server.next_layer().close(ignored);  // the client sees EOF, not a hang
        return;
      }
      out.version = SSL_version(server.native_handle());
      out.serverSawClientCert = SSL_get0_peer_certificate(server.native_handle()) != nullptr;
    });
  });

  client.set_verify_mode(ssl::verify_peer);
  client.set_verify_callback(ssl::host_name_verification("localhost"));
  SSL_set_tlsext_host_name(client.native_handle(), "localhost");
  if (!alpnWire.empty()) {
    SSL_set_alpn_protos(client.native_handle(), reinterpret_cast<const unsigned char*>(alpnWire.data()),
                        static_cast<unsigned int>(alpnWire.size()));
  }
  client.next_layer().async_connect(acceptor.local_endpoint(), [&](const boost::system::error_code& ec) {
    if (ec) {
      out.client = ec;
      clientDone = true;
      return;
    }
    client.async_handshake(ssl::stream_base::client, [&](const boost::system::error_code& hec) {
      out.client = hec;
      clientDone = true;
      if (hec) {
        boost::system::error_code ignored;
        client.next_layer().close(ignored);
        return;
      }
      const unsigned char* proto = nullptr;
      unsigned int len = 0;
      SSL_get0_alpn_selected(client.native_handle(), &proto, &len);
      out.alpn.assign(reinterpret_cast<const char*>(proto), len);
      out.cipher = SSL_get_cipher_name(client.native_handle());
    });
  });
  out.finished = runUntil(ioc, [&] { return serverDone && clientDone; });
  return out;
}

class CertsTls : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dev = generateDevCertificate({});
    ASSERT_TRUE(dev.ok()) << dev.error();
    dev_ = *dev;
    clientCtx_.add_certificate_authority(asio::buffer(dev_.caCertPem));
  }

  std::shared_ptr<ssl::context> serverContext(const TlsOptions& options = {}) {
    auto pair = KeyPair::fromPem(dev_.certPem, dev_.keyPem);
    EXPECT_TRUE(pair.ok()) << pair.error();
    if (!pair.ok()) return nullptr;
    auto ctx = makeServerContext(*pair, options);
    EXPECT_TRUE(ctx.ok()) << ctx.error();
    return ctx.ok() ? *ctx : nullptr;
  }

  testsupport::TempDir tmp_;
  DevCertificate dev_;
  ssl::context clientCtx_{ssl::context::tls_client};
};

TEST_F(CertsTls, NegotiatesTls13ByDefault) {
  auto server = serverContext();
  ASSERT_NE(server, nullptr);
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  ASSERT_FALSE(out.server) << out.server.message();
  ASSERT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(out.version, TLS1_3_VERSION);
}

TEST_F(CertsTls, SelectsHttp11WhenTheClientOffersH2AndHttp11) {
  auto server = serverContext();
  ASSERT_NE(server, nullptr);
  const Outcome out = handshake(*server, clientCtx_, std::string("\x02h2\x08http/1.1", 12));
  ASSERT_TRUE(out.finished);
  ASSERT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(out.alpn, "http/1.1");
}

TEST_F(CertsTls, NegotiatesNoAlpnRatherThanFailingWhenOnlyH2IsOffered) {
  auto server = serverContext();
  ASSERT_NE(server, nullptr);
  const Outcome out = handshake(*server, clientCtx_, std::string("\x02h2", 3));
  ASSERT_TRUE(out.finished);
  ASSERT_FALSE(out.server) << out.server.message();
  ASSERT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(out.alpn, "");
}

TEST_F(CertsTls, RefusesAClientLimitedToTls11) {
  auto server = serverContext();
  ASSERT_NE(server, nullptr);
  // Security level 0 so the client really offers TLS 1.1 and it is the
  // server that refuses it.
  SSL_CTX* client = clientCtx_.native_handle();
  SSL_CTX_set_min_proto_version(client, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(client, TLS1_1_VERSION);
  SSL_CTX_set_cipher_list(client, "DEFAULT:@SECLEVEL=0");
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  EXPECT_TRUE(out.client);
  ASSERT_TRUE(out.server);
  EXPECT_NE(out.server.message().find("unsupported protocol"), std::string::npos) << out.server.message();
}

TEST_F(CertsTls, MinVersionTls13RefusesATls12Client) {
  TlsOptions options;
  options.minVersion = "VersionTLS13";
  auto server = serverContext(options);
  ASSERT_NE(server, nullptr);
  SSL_CTX_set_max_proto_version(clientCtx_.native_handle(), TLS1_2_VERSION);
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  EXPECT_TRUE(out.server);
  EXPECT_TRUE(out.client);
}

TEST_F(CertsTls, ConfiguredGoCipherSuiteNameIsTheOneNegotiatedOverTls12) {
  TlsOptions options;
  options.cipherSuites = {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"};
  auto server = serverContext(options);
  ASSERT_NE(server, nullptr);
  SSL_CTX_set_max_proto_version(clientCtx_.native_handle(), TLS1_2_VERSION);
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  ASSERT_FALSE(out.client) << out.client.message();
  EXPECT_EQ(out.version, TLS1_2_VERSION);
  EXPECT_EQ(out.cipher, "ECDHE-ECDSA-AES256-GCM-SHA384");
}

TEST_F(CertsTls, DefaultTls12CiphersAreEcdheAeadOnly) {
  auto server = serverContext();
  ASSERT_NE(server, nullptr);
  SSL_CTX* client = clientCtx_.native_handle();
  SSL_CTX_set_max_proto_version(client, TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(client, "ECDHE-ECDSA-AES128-SHA");  // CBC: the server must refuse
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  EXPECT_TRUE(out.server);
  EXPECT_TRUE(out.client);
}

TEST_F(CertsTls, UnknownCipherSuiteNameIsAnErrorNamingIt) {
  TlsOptions options;
  options.cipherSuites = {"TLS_AES_128_GCM_SHA256", "TLS_MADE_UP_SUITE"};
  auto pair = KeyPair::fromPem(dev_.certPem, dev_.keyPem);
  ASSERT_TRUE(pair.ok());
  auto ctx = makeServerContext(*pair, options);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.error().find("TLS_MADE_UP_SUITE"), std::string::npos) << ctx.error();
}

TEST_F(CertsTls, GoCipherSuiteNamesMapToOpenSslNames) {
  auto config = mapCipherSuites({"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                                 "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"});
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->tls12, "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_EQ(config->tls13, "TLS_AES_256_GCM_SHA384");
  EXPECT_FALSE(mapCipherSuites({"TLS_RSA_WITH_RC4_128_SHA"}).ok());
}

TEST_F(CertsTls, EveryAcceptedGoCipherSuiteNameBuildsAContext) {
  auto pair = KeyPair::fromPem(dev_.certPem, dev_.keyPem);
  ASSERT_TRUE(pair.ok());
  for (const char* name : {"TLS_AES_128_GCM_SHA256",
                           "TLS_AES_256_GCM_SHA384",
                           "TLS_CHACHA20_POLY1305_SHA256",
                           "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                           "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                           "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                           "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                           "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                           "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                           "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                           "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
                           "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
                           "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
                           "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                           "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
                           "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                           "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                           "TLS_RSA_WITH_AES_128_GCM_SHA256",
                           "TLS_RSA_WITH_AES_256_GCM_SHA384",
                           "TLS_RSA_WITH_AES_128_CBC_SHA",
                           "TLS_RSA_WITH_AES_256_CBC_SHA",
                           "TLS_RSA_WITH_AES_128_CBC_SHA256"}) {
    TlsOptions options;
    options.cipherSuites = {name};
    auto ctx = makeServerContext(*pair, options);
    EXPECT_TRUE(ctx.ok()) << name << ": " << ctx.error();
  }
}

TEST_F(CertsTls, VersionsBelow12KeepTheTls12Floor) {
  auto pair = KeyPair::fromPem(dev_.certPem, dev_.keyPem);
  ASSERT_TRUE(pair.ok());
  for (const char* version : {"VersionTLS10", "VersionTLS11", "1.0", "1.1"}) {
    EXPECT_TRUE(isBelowTlsFloor(version)) << version;
    TlsOptions options;
    options.minVersion = version;
    auto ctx = makeServerContext(*pair, options);
    ASSERT_TRUE(ctx.ok()) << version << ": " << ctx.error();
    EXPECT_EQ(SSL_CTX_get_min_proto_version((*ctx)->native_handle()), TLS1_2_VERSION) << version;
  }
}

TEST_F(CertsTls, MinVersionTakesTheReferenceNames) {
  EXPECT_EQ(parseMinTlsVersion("VersionTLS13").value(), TLS1_3_VERSION);
  EXPECT_EQ(parseMinTlsVersion("1.3").value(), TLS1_3_VERSION);
  EXPECT_EQ(parseMinTlsVersion("VersionTLS12").value(), TLS1_2_VERSION);
  EXPECT_EQ(parseMinTlsVersion("1.2").value(), TLS1_2_VERSION);
  EXPECT_EQ(parseMinTlsVersion("").value(), TLS1_2_VERSION);
  for (const char* version : {"1.2", "1.3", "VersionTLS12", "VersionTLS13", ""}) {
    EXPECT_FALSE(isBelowTlsFloor(version)) << version;
  }
}

TEST_F(CertsTls, UnknownMinVersionIsRefusedNamingIt) {
  auto pair = KeyPair::fromPem(dev_.certPem, dev_.keyPem);
  ASSERT_TRUE(pair.ok());
  for (const char* version : {"TLS1.2", "1.4", "VersionTLS14", "tls12", "1", "versiontls12"}) {
    EXPECT_FALSE(isBelowTlsFloor(version)) << version;
    TlsOptions options;
    options.minVersion = version;
    auto ctx = makeServerContext(*pair, options);
    ASSERT_FALSE(ctx.ok()) << version;
    EXPECT_NE(ctx.error().find(std::string("\"") + version + "\""), std::string::npos) << ctx.error();
  }
}

TEST_F(CertsTls, CompressionRenegotiationOffAndServerPreferenceAndSessionCacheOn) {
  auto server = serverContext();
  ASSERT_NE(server, nullptr);
  const uint64_t options = SSL_CTX_get_options(server->native_handle());
  EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(options & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(server->native_handle()), SSL_SESS_CACHE_SERVER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(server->native_handle()), TLS1_2_VERSION);
}

class CertsMutualTls : public CertsTls {
 protected:
  void SetUp() override {
    CertsTls::SetUp();
    DevCertificateOptions clientOptions;
    clientOptions.commonName = "kube-apiserver";
    clientOptions.clientAuth = true;
    auto client = generateDevCertificate(clientOptions);
    ASSERT_TRUE(client.ok()) << client.error();
    clientDev_ = *client;
    std::ofstream(tmp_.file("client-ca.crt")) << clientDev_.caCertPem;
    options_.clientCaFile = tmp_.file("client-ca.crt");
  }
  void presentCertificate(const DevCertificate& cert) {
    clientCtx_.use_certificate_chain(asio::buffer(cert.certPem));
    clientCtx_.use_private_key(asio::buffer(cert.keyPem), ssl::context::pem);
  }
  DevCertificate clientDev_;
  TlsOptions options_;
};

TEST_F(CertsMutualTls, RejectsAClientWithoutACertificate) {
  auto server = serverContext(options_);
  ASSERT_NE(server, nullptr);
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  EXPECT_TRUE(out.server) << "server accepted a client without a certificate";
  EXPECT_FALSE(out.serverSawClientCert);
}

TEST_F(CertsMutualTls, AcceptsAClientCertificateSignedByTheClientCa) {
  auto server = serverContext(options_);
  ASSERT_NE(server, nullptr);
  presentCertificate(clientDev_);
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  ASSERT_FALSE(out.server) << out.server.message();
  ASSERT_FALSE(out.client) << out.client.message();
  EXPECT_TRUE(out.serverSawClientCert);
}

TEST_F(CertsMutualTls, RejectsAClientCertificateFromAnotherCa) {
  auto server = serverContext(options_);
  ASSERT_NE(server, nullptr);
  DevCertificateOptions strangerOptions;
  strangerOptions.clientAuth = true;
  auto stranger = generateDevCertificate(strangerOptions);
  ASSERT_TRUE(stranger.ok());
  presentCertificate(*stranger);
  const Outcome out = handshake(*server, clientCtx_);
  ASSERT_TRUE(out.finished);
  EXPECT_TRUE(out.server);
}

TEST_F(CertsMutualTls, UnreadableClientCaFileIsAnError) {
  auto pair = KeyPair::fromPem(dev_.certPem, dev_.keyPem);
  ASSERT_TRUE(pair.ok());
  options_.clientCaFile = tmp_.file("absent-ca.crt");
  auto ctx = makeServerContext(*pair, options_);
  ASSERT_FALSE(ctx.ok());
  EXPECT_EQ(ctx.error(), "client ca file " + tmp_.file("absent-ca.crt") + ": no such file");
}

}  // namespace
}  // namespace irsa::certs
