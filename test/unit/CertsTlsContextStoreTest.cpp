// TlsContextStore: atomic hot reload that keeps the old context on failure.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "certs/DevCertificate.hpp"
#include "certs/Pem.hpp"
#include "certs/TlsContextStore.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::certs {
namespace {

DevCertificate generate(std::chrono::hours validity) {
  DevCertificateOptions options;
  options.validity = validity;
  auto dev = generateDevCertificate(options);
  EXPECT_TRUE(dev.ok());
  return dev.ok() ? *dev : DevCertificate{};
}

// True if `ctx` serves exactly the leaf in `certPem`.
bool serves(const std::shared_ptr<boost::asio::ssl::context>& ctx, const std::string& certPem) {
  auto certs = parseCertificates(certPem, "test");
  X509* served = SSL_CTX_get0_certificate(ctx->native_handle());
  return certs.ok() && served != nullptr && X509_cmp(served, certs->front().get()) == 0;
}

class CertsTlsContextStore : public ::testing::Test {
 protected:
  void install(const std::string& certPem, const std::string& keyPem) {
    std::ofstream(cert_, std::ios::trunc) << certPem;
    std::ofstream(key_, std::ios::trunc) << keyPem;
  }
  testsupport::TempDir tmp_;
  const std::string cert_ = tmp_.file("tls.crt");
  const std::string key_ = tmp_.file("tls.key");
};

TEST_F(CertsTlsContextStore, ReloadWithANewPairSwapsTheContextAndNotAfter) {
  const DevCertificate first = generate(std::chrono::hours(24));
  const DevCertificate second = generate(std::chrono::hours(24 * 30));
  install(first.certPem, first.keyPem);
  auto store = TlsContextStore::create(cert_, key_, {});
  ASSERT_TRUE(store.ok()) << store.error();
  const auto before = (*store)->current();
  const auto notAfterBefore = (*store)->notAfter();
  ASSERT_TRUE(serves(before, first.certPem));

  install(second.certPem, second.keyPem);
  ASSERT_TRUE((*store)->reload());

  const auto after = (*store)->current();
  EXPECT_NE(after, before);
  EXPECT_TRUE(serves(after, second.certPem));
  EXPECT_GT((*store)->notAfter() - notAfterBefore, std::chrono::hours(24 * 28));
  // A connection that took the old snapshot keeps a working context.
  EXPECT_TRUE(serves(before, first.certPem));
}

TEST_F(CertsTlsContextStore, ReloadWithAMismatchedKeyKeepsTheOldContext) {
  const DevCertificate first = generate(std::chrono::hours(24));
  const DevCertificate other = generate(std::chrono::hours(48));
  install(first.certPem, first.keyPem);
  auto store = TlsContextStore::create(cert_, key_, {});
  ASSERT_TRUE(store.ok()) << store.error();
  const auto before = (*store)->current();
  const auto notAfterBefore = (*store)->notAfter();

  install(other.certPem, first.keyPem);  // half-updated Secret: new cert, old key
  EXPECT_FALSE((*store)->reload());
  EXPECT_EQ((*store)->current(), before);
  EXPECT_EQ((*store)->notAfter(), notAfterBefore);

  std::filesystem::remove(key_);  // and a missing file
  EXPECT_FALSE((*store)->reload());
  EXPECT_EQ((*store)->current(), before);
}

TEST_F(CertsTlsContextStore, CreateFailsWhenTheFilesAreMissingOrOptionsAreBad) {
  auto missing = TlsContextStore::create(cert_, key_, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "tls cert " + cert_ + ": no such file");

  const DevCertificate dev = generate(std::chrono::hours(24));
  install(dev.certPem, dev.keyPem);
  TlsOptions options;
  options.minVersion = "TLS1.0";  // not a name the reference takes
  EXPECT_FALSE(TlsContextStore::create(cert_, key_, options).ok());
}

}  // namespace
}  // namespace irsa::certs
