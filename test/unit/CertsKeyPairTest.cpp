// KeyPair: loading and validating a serving certificate chain and its key.

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <fstream>
#include <string>

#include "certs/DevCertificate.hpp"
#include "certs/KeyPair.hpp"
#include "certs/OpenSslHandles.hpp"
#include "certs/Pem.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::certs {
namespace {

std::string write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return path;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class CertsKeyPair : public ::testing::Test {
 protected:
  void SetUp() override {
    auto a = generateDevCertificate({});
    auto b = generateDevCertificate({});
    ASSERT_TRUE(a.ok() && b.ok());
    devA_ = *a;
    devB_ = *b;
  }
  testsupport::TempDir tmp_;
  DevCertificate devA_;
  DevCertificate devB_;
};

// Re-encodes a PKCS#8 key as the legacy "EC PRIVATE KEY" / "RSA PRIVATE KEY" form.
std::string traditionalPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// A minimal self-signed RSA certificate + PKCS#1 key, built here because the
// dev generator only makes EC keys.
std::pair<std::string, std::string> selfSignedRsa() {
  EvpPkeyPtr key(EVP_RSA_gen(2048));
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("rsa"), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return {certificateToPem(cert.get()).value(), traditionalPem(key.get())};
}

TEST_F(CertsKeyPair, LoadsAMatchingPairFromFiles) {
  const auto cert = write(tmp_.file("tls.crt"), devA_.certPem);
  const auto key = write(tmp_.file("tls.key"), devA_.keyPem);
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_TRUE(pair.ok()) << pair.error();
  EXPECT_EQ(pair->certPem(), devA_.certPem);
  EXPECT_EQ(pair->keyPem(), devA_.keyPem);
  EXPECT_GT(pair->notAfter(), std::chrono::system_clock::now());
  EXPECT_NE(pair->leaf(), nullptr);
  EXPECT_NE(pair->privateKey(), nullptr);
}

TEST_F(CertsKeyPair, MissingCertificateFileIsNamedInTheError) {
  const auto key = write(tmp_.file("tls.key"), devA_.keyPem);
  auto pair = KeyPair::loadFiles(tmp_.file("absent.crt"), key);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.error(), "tls cert " + tmp_.file("absent.crt") + ": no such file");
}

TEST_F(CertsKeyPair, MissingKeyFileIsNamedInTheError) {
  const auto cert = write(tmp_.file("tls.crt"), devA_.certPem);
  auto pair = KeyPair::loadFiles(cert, tmp_.file("absent.key"));
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.error(), "tls key " + tmp_.file("absent.key") + ": no such file");
}

TEST_F(CertsKeyPair, GarbageCertificateSaysNoPemCertificateFound) {
  const auto cert = write(tmp_.file("tls.crt"), "this is not a certificate\n");
  const auto key = write(tmp_.file("tls.key"), devA_.keyPem);
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.error(), "no PEM certificate found in tls cert " + cert);
}

TEST_F(CertsKeyPair, EmptyCertificateFileSaysNoPemCertificateFound) {
  const auto cert = write(tmp_.file("tls.crt"), "");
  const auto key = write(tmp_.file("tls.key"), devA_.keyPem);
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_FALSE(pair.ok());
  EXPECT_TRUE(contains(pair.error(), "no PEM certificate found")) << pair.error();
}

TEST_F(CertsKeyPair, CorruptPemBodyIsReportedAsInvalid) {
  const auto cert =
      write(tmp_.file("tls.crt"), "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  const auto key = write(tmp_.file("tls.key"), devA_.keyPem);
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_FALSE(pair.ok());
  EXPECT_TRUE(contains(pair.error(), "invalid PEM certificate #1 in tls cert " + cert)) << pair.error();
}

TEST_F(CertsKeyPair, GarbageKeySaysNoPemPrivateKeyFound) {
  const auto cert = write(tmp_.file("tls.crt"), devA_.certPem);
  const auto key = write(tmp_.file("tls.key"), "garbage");
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_FALSE(pair.ok());
  EXPECT_EQ(pair.error(), "no PEM private key found in tls key " + key);
}

TEST_F(CertsKeyPair, CorruptKeyBlockIsReportedAsInvalid) {
  const auto cert = write(tmp_.file("tls.crt"), devA_.certPem);
  const auto key =
      write(tmp_.file("tls.key"), "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_FALSE(pair.ok());
  EXPECT_TRUE(contains(pair.error(), "invalid PEM private key in tls key " + key)) << pair.error();
}

TEST_F(CertsKeyPair, MismatchedKeyIsRejected) {
  const auto cert = write(tmp_.file("tls.crt"), devA_.certPem);
  const auto key = write(tmp_.file("tls.key"), devB_.keyPem);
  auto pair = KeyPair::loadFiles(cert, key);
  ASSERT_FALSE(pair.ok());
  EXPECT_TRUE(contains(pair.error(), "tls key does not match certificate")) << pair.error();
  EXPECT_FALSE(KeyPair::fromPem(devA_.certPem, devB_.keyPem).ok());
}

TEST_F(CertsKeyPair, ChainKeepsTheLeafFirstAndIntermediatesAfter) {
  auto pair = KeyPair::fromPem(devA_.certPem + devA_.caCertPem, devA_.keyPem);
  ASSERT_TRUE(pair.ok()) << pair.error();
  ASSERT_EQ(pair->intermediates().size(), 1u);
  EXPECT_EQ(X509_check_issued(pair->intermediates()[0], pair->leaf()), X509_V_OK);
}

TEST_F(CertsKeyPair, IntermediateFirstIsAKeyMismatch) {
  auto pair = KeyPair::fromPem(devA_.caCertPem + devA_.certPem, devA_.keyPem);
  ASSERT_FALSE(pair.ok());
  EXPECT_TRUE(contains(pair.error(), "does not match")) << pair.error();
}

TEST_F(CertsKeyPair, AcceptsSec1EcAndPkcs1RsaKeys) {
  auto pkcs8 = parsePrivateKey(devA_.keyPem, "test");
  ASSERT_TRUE(pkcs8.ok());
  const std::string sec1 = traditionalPem(pkcs8->get());
  ASSERT_TRUE(contains(sec1, "BEGIN EC PRIVATE KEY"));
  auto ec = KeyPair::fromPem(devA_.certPem, sec1);
  EXPECT_TRUE(ec.ok()) << ec.error();

  const auto [rsaCert, rsaKey] = selfSignedRsa();
  ASSERT_TRUE(contains(rsaKey, "BEGIN RSA PRIVATE KEY"));
  auto rsa = KeyPair::fromPem(rsaCert, rsaKey);
  EXPECT_TRUE(rsa.ok()) << rsa.error();
}

TEST_F(CertsKeyPair, EncryptedKeyIsRefusedWithoutPrompting) {
  auto key = parsePrivateKey(devA_.keyPem, "test");
  ASSERT_TRUE(key.ok());
  BioPtr bio(BIO_new(BIO_s_mem()));
  char pass[] = "secret";
  ASSERT_EQ(
      PEM_write_bio_PKCS8PrivateKey(bio.get(), key->get(), EVP_aes_256_cbc(), pass, 6, nullptr, nullptr), 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  auto pair = KeyPair::fromPem(devA_.certPem, std::string(data, static_cast<std::size_t>(len)));
  ASSERT_FALSE(pair.ok());
  EXPECT_TRUE(contains(pair.error(), "encrypted private keys are not supported")) << pair.error();
}

}  // namespace
}  // namespace irsa::certs
