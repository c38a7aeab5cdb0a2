// Dev CA + serving certificate generation, and writing them to disk.

#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "certs/DevCertificate.hpp"
#include "certs/KeyPair.hpp"
#include "certs/OpenSslHandles.hpp"
#include "certs/Pem.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::certs {
namespace {

X509Ptr onlyCertificate(const std::string& pem) {
  auto certs = parseCertificates(pem, "test");
  if (!certs || certs->size() != 1) return nullptr;
  return std::move(certs->front());
}

DevCertificate generate(const DevCertificateOptions& options = {}) {
  auto dev = generateDevCertificate(options);
  EXPECT_TRUE(dev.ok()) << (dev.ok() ? "" : dev.error());
  return dev.ok() ? *dev : DevCertificate{};
}

// X509_verify_cert of `leaf` against a store holding only `ca`, as a TLS
// client checking a server for `host` would do it.
bool verifies(X509* leaf, X509* ca, const char* host) {
  X509StorePtr store(X509_STORE_new());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca) != 1) return false;
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr) != 1) return false;
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx.get()), host, 0);
  return X509_verify_cert(ctx.get()) == 1;
}

bool hasSan(X509* cert, int type, const std::string& value) {
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != type) continue;
    if (type == GEN_DNS) {
      const ASN1_IA5STRING* dns = name->d.dNSName;
      if (std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)), ASN1_STRING_length(dns)) ==
          value) {
        return true;
      }
    } else if (type == GEN_IPADD) {
      ASN1_OCTET_STRING* expected = a2i_IPADDRESS(value.c_str());
      const bool same = expected != nullptr && ASN1_STRING_cmp(expected, name->d.iPAddress) == 0;
      ASN1_OCTET_STRING_free(expected);
      if (same) return true;
    }
  }
  return false;
}

bool extensionIsCritical(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

TEST(CertsDevCertificate, GeneratedPairParsesAndTheKeyMatchesTheLeaf) {
  const DevCertificate dev = generate();
  auto pair = KeyPair::fromPem(dev.certPem, dev.keyPem);
  ASSERT_TRUE(pair.ok()) << pair.error();
  EXPECT_TRUE(pair->intermediates().empty());
  EXPECT_NE(onlyCertificate(dev.caCertPem), nullptr);
}

TEST(CertsDevCertificate, ServingCertificateCarriesEveryRequestedSan) {
  DevCertificateOptions options;
  options.dnsNames = {"localhost", "irsa-webhook.kube-system.svc"};
  options.ipAddresses = {"127.0.0.1", "::1", "10.0.0.7"};
  const DevCertificate dev = generate(options);
  X509Ptr leaf = onlyCertificate(dev.certPem);
  ASSERT_NE(leaf, nullptr);
  EXPECT_TRUE(hasSan(leaf.get(), GEN_DNS, "localhost"));
  EXPECT_TRUE(hasSan(leaf.get(), GEN_DNS, "irsa-webhook.kube-system.svc"));
  EXPECT_TRUE(hasSan(leaf.get(), GEN_IPADD, "127.0.0.1"));
  EXPECT_TRUE(hasSan(leaf.get(), GEN_IPADD, "::1"));
  EXPECT_TRUE(hasSan(leaf.get(), GEN_IPADD, "10.0.0.7"));
  EXPECT_FALSE(hasSan(leaf.get(), GEN_DNS, "example.com"));
}

TEST(CertsDevCertificate, KeyIsEcdsaP256) {
  const DevCertificate dev = generate();
  auto key = parsePrivateKey(dev.keyPem, "test");
  ASSERT_TRUE(key.ok()) << key.error();
  EXPECT_EQ(EVP_PKEY_get_base_id(key->get()), EVP_PKEY_EC);
  char group[64] = {};
  ASSERT_EQ(EVP_PKEY_get_group_name(key->get(), group, sizeof group, nullptr), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_NE(dev.keyPem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos) << "PKCS#8 expected";
}

TEST(CertsDevCertificate, LeafVerifiesAgainstItsCaAndNotAnotherOne) {
  const DevCertificate dev = generate();
  const DevCertificate other = generate();
  X509Ptr leaf = onlyCertificate(dev.certPem);
  X509Ptr ca = onlyCertificate(dev.caCertPem);
  X509Ptr otherCa = onlyCertificate(other.caCertPem);
  ASSERT_TRUE(leaf && ca && otherCa);
  EXPECT_TRUE(verifies(leaf.get(), ca.get(), "localhost"));
  EXPECT_FALSE(verifies(leaf.get(), otherCa.get(), "localhost"));
  EXPECT_FALSE(verifies(leaf.get(), ca.get(), "not-in-the-sans.example"));
}

TEST(CertsDevCertificate, CaIsACriticalCaTrueWithKeyCertSign) {
  X509Ptr ca = onlyCertificate(generate().caCertPem);
  ASSERT_NE(ca, nullptr);
  EXPECT_NE(X509_get_extension_flags(ca.get()) & EXFLAG_CA, 0u);
  EXPECT_TRUE(extensionIsCritical(ca.get(), NID_basic_constraints));
  EXPECT_NE(X509_get_key_usage(ca.get()) & KU_KEY_CERT_SIGN, 0u);
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK) << "CA must be self-signed";
}

TEST(CertsDevCertificate, LeafIsForServerAuthWithDigitalSignatureOnly) {
  X509Ptr leaf = onlyCertificate(generate().certPem);
  ASSERT_NE(leaf, nullptr);
  EXPECT_EQ(X509_get_extension_flags(leaf.get()) & EXFLAG_CA, 0u);
  EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_SERVER, 0u);
  EXPECT_EQ(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_CLIENT, 0u);
  EXPECT_NE(X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE, 0u);
  EXPECT_EQ(X509_get_key_usage(leaf.get()) & KU_KEY_CERT_SIGN, 0u);
}

TEST(CertsDevCertificate, ClientAuthOptionAddsTheClientEku) {
  DevCertificateOptions options;
  options.clientAuth = true;
  X509Ptr leaf = onlyCertificate(generate(options).certPem);
  ASSERT_NE(leaf, nullptr);
  EXPECT_NE(X509_get_extended_key_usage(leaf.get()) & XKU_SSL_CLIENT, 0u);
}

TEST(CertsDevCertificate, SerialIsRandom128BitAndNotBeforeIsInThePast) {
  X509Ptr a = onlyCertificate(generate().certPem);
  X509Ptr b = onlyCertificate(generate().certPem);
  ASSERT_TRUE(a && b);
  BignumPtr serialA(ASN1_INTEGER_to_BN(X509_get0_serialNumber(a.get()), nullptr));
  BignumPtr serialB(ASN1_INTEGER_to_BN(X509_get0_serialNumber(b.get()), nullptr));
  ASSERT_TRUE(serialA && serialB);
  EXPECT_GT(BN_num_bits(serialA.get()), 64);  // fails with probability 2^-64
  EXPECT_LE(BN_num_bits(serialA.get()), 128);
  EXPECT_NE(BN_cmp(serialA.get(), serialB.get()), 0);
  // notBefore strictly before now - 1 minute: backdated for clock skew.
  time_t aMinuteAgo = ::time(nullptr) - 60;
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(a.get()), &aMinuteAgo), 0);
}

TEST(CertsDevCertificate, NotAfterFollowsTheValidityOption) {
  DevCertificateOptions options;
  options.validity = std::chrono::hours(48);
  const DevCertificate dev = generate(options);
  auto pair = KeyPair::fromPem(dev.certPem, dev.keyPem);
  ASSERT_TRUE(pair.ok()) << pair.error();
  const auto expected = std::chrono::system_clock::now() + std::chrono::hours(48);
  EXPECT_LT(std::chrono::abs(pair->notAfter() - expected), std::chrono::minutes(2));
}

TEST(CertsDevCertificate, InvalidIpAddressIsAnError) {
  DevCertificateOptions options;
  options.ipAddresses = {"127.0.0.1", "not-an-ip"};
  auto dev = generateDevCertificate(options);
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.error().find("not-an-ip"), std::string::npos) << dev.error();
}

TEST(CertsDevCertificate, WriteCreatesTheDirAndWritesKeyWithMode0600) {
  testsupport::TempDir tmp;
  const std::string dir = tmp.file("nested/certs");
  const DevCertificate dev = generate();
  auto written = writeDevCertificate(dev, dir);
  ASSERT_TRUE(written.ok()) << written.error();

  struct stat st {};
  ASSERT_EQ(::stat((dir + "/tls.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto pair = KeyPair::loadFiles(dir + "/tls.crt", dir + "/tls.key");
  ASSERT_TRUE(pair.ok()) << pair.error();
  EXPECT_EQ(pair->certPem(), dev.certPem);
  EXPECT_EQ(readPemFile(dir + "/ca.crt", "ca").value(), dev.caCertPem);

  // Temp files were renamed into place, none left behind.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++entries;
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(entries, 3);
}

}  // namespace
}  // namespace irsa::certs
