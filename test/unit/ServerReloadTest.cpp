// Integration: the real server picks up new certificates, ServiceAccounts and
// container-credentials identities from disk without a restart.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kReloadDeadline = 10s;

TlsClientOptions trusting(const fs::path& certDir) {
  TlsClientOptions options;
  options.caFile = (certDir / "ca.crt").string();
  return options;
}

bool handshakes(unsigned short port, const TlsClientOptions& options) {
  TestClient client(std::chrono::seconds(2));
  return !client.connectTls(port, options);
}

// Replaces the served pair; the key first, as a tool renaming two files would.
void install(const fs::path& from, const fs::path& certFile, const fs::path& keyFile) {
  writeFileAtomically(keyFile, readFile(from / "tls.key"));
  writeFileAtomically(certFile, readFile(from / "tls.crt"));
}

TEST(ServerReloadTest, NewCertificateIsServedToNewConnectionsAndAMismatchedPairIsRefused) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  TempDir scratch;
  const fs::path certB = scratch.path() / "b";
  const fs::path certC = scratch.path() / "c";
  ASSERT_TRUE(makeDevCert(certB, scratch.path()));
  ASSERT_TRUE(makeDevCert(certC, scratch.path()));
  const fs::path servedCert = server->certDir() / "tls.crt";
  const fs::path servedKey = server->certDir() / "tls.key";

  ASSERT_TRUE(handshakes(server->port(), server->trust()));
  ASSERT_FALSE(handshakes(server->port(), trusting(certB))) << "B's CA must not verify A's certificate";
  // A connection opened before the reload keeps working after it.
  auto before = server->connect();
  ASSERT_TRUE(before);

  install(certB, servedCert, servedKey);
  ASSERT_TRUE(pollUntil([&] { return handshakes(server->port(), trusting(certB)); }, kReloadDeadline))
      << "certificate B was never served; log:\n"
      << server->process().stderrText();
  EXPECT_FALSE(handshakes(server->port(), server->trust())) << "certificate A is still served";
  Reply old = before->exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(old.ec) << old.ec.message();
  EXPECT_EQ(old.response.result(), http::status::ok);

  // C's certificate with B's key: unusable, so B stays.
  const std::size_t failures = server->process().countLog("Serving certificate not reloaded");
  writeFileAtomically(servedCert, readFile(certC / "tls.crt"));
  EXPECT_TRUE(
      pollUntil([&] { return server->process().countLog("Serving certificate not reloaded") > failures; },
                kReloadDeadline))
      << server->process().stderrText();
  EXPECT_TRUE(handshakes(server->port(), trusting(certB)));
  EXPECT_FALSE(handshakes(server->port(), trusting(certC)));
  EXPECT_TRUE(server->process().running());
}

TEST(ServerReloadTest, KubernetesSecretSymlinkSwapReloadsTheCertificate) {
  TempDir secretRoot;
  const fs::path secret = secretRoot.path() / "secret";
  fs::create_directories(secret);
  // The kubelet's layout: files -> ..data/files, ..data -> a timestamped dir.
  ASSERT_TRUE(makeDevCert(secret / "..2026_01_01_a", secretRoot.path()));
  fs::create_directory_symlink("..2026_01_01_a", secret / "..data");
  for (const char* name : {"tls.crt", "tls.key", "ca.crt"})
    fs::create_symlink(fs::path("..data") / name, secret / name);

  TestServer::Options options;
  options.tlsCert = (secret / "tls.crt").string();
  options.tlsKey = (secret / "tls.key").string();
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  const TlsClientOptions trustA = trusting(secret / "..2026_01_01_a");
  ASSERT_TRUE(handshakes(server->port(), trustA));

  // The kubelet's atomic update: new dir, new ..data symlink renamed over the old, old dir removed.
  ASSERT_TRUE(makeDevCert(secret / "..2026_01_02_b", secretRoot.path()));
  const TlsClientOptions trustB = trusting(secret / "..2026_01_02_b");
  ASSERT_FALSE(handshakes(server->port(), trustB));
  fs::create_directory_symlink("..2026_01_02_b", secret / "..data_tmp");
  fs::rename(secret / "..data_tmp", secret / "..data");
  fs::remove_all(secret / "..2026_01_01_a");

  EXPECT_TRUE(pollUntil([&] { return handshakes(server->port(), trustB); }, kReloadDeadline))
      << server->process().stderrText();
  EXPECT_FALSE(handshakes(server->port(), trustA));
}

TEST(ServerReloadTest, RewrittenServiceAccountsFileIsPickedUp) {
  auto server = TestServer::start();
  ASSERT_TRUE(server);
  const std::string arn = "arn:aws:iam::111122223333:role/newcomer-role";
  auto newcomer = [&] {
    return server->request(
        mutateRequest(admissionReview("admission.k8s.io/v1", "sa-reload", podJson("newcomer"))));
  };
  Reply first = newcomer();
  ASSERT_FALSE(first.ec);
  ASSERT_FALSE(decodedPatch(first)) << "mutated before its ServiceAccount existed";

  // Rewritten in place, as an editor or `kubectl get -o yaml > file` would.
  writeFileInPlace(server->serviceAccountsFile(),
                   defaultServiceAccounts() + serviceAccountYaml("default", "newcomer", arn));
  std::optional<std::string> patch;
  EXPECT_TRUE(pollUntil(
      [&] {
        patch = decodedPatch(newcomer());
        return patch.has_value();
      },
      kReloadDeadline))
      << server->process().stderrText();
  ASSERT_TRUE(patch);
  EXPECT_NE(patch->find(R"({"name":"AWS_ROLE_ARN","value":")" + arn + "\"}"), std::string::npos) << *patch;

  // ServiceAccounts of the old file are still served.
  Reply annotated =
      server->request(mutateRequest(admissionReview("admission.k8s.io/v1", "sa-old", podJson("annotated"))));
  EXPECT_TRUE(decodedPatch(annotated));
}

TEST(ServerReloadTest, ContainerCredentialsConfigChangeIsPickedUp) {
  TempDir configDir;
  const fs::path config = configDir.path() / "container-credentials.json";
  writeFileAtomically(config, R"({"identities":[]})");
  TestServer::Options options;
  options.extraArgs = {"--watch-container-credentials-config", config.string()};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto plainPod = [&] {
    return server->request(
        mutateRequest(admissionReview("admission.k8s.io/v1", "cc-reload", podJson("plain"))));
  };
  ASSERT_FALSE(decodedPatch(plainPod()));

  writeFileAtomically(config, R"({"identities":[{"namespace":"default","serviceAccount":"plain"}]})");
  std::optional<std::string> patch;
  EXPECT_TRUE(pollUntil(
      [&] {
        patch = decodedPatch(plainPod());
        return patch.has_value();
      },
      kReloadDeadline))
      << server->process().stderrText();
  ASSERT_TRUE(patch);
  EXPECT_NE(patch->find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos) << *patch;
}

// The reference treats a missing file as an empty list; here its directories
// need not exist either. The file is loaded when it appears, bad content
// keeps the last good list, and deleting it clears the list again.
TEST(ServerReloadTest, ContainerCredentialsConfigThatDoesNotExistYetIsLoadedWhenItAppears) {
  TempDir scratch;
  const fs::path dir = scratch.path() / "not" / "yet";
  const fs::path config = dir / "container-credentials.json";
  TestServer::Options options;
  options.extraArgs = {"--watch-container-credentials-config", config.string()};
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  auto mutated = [&] {
    return decodedPatch(server->request(
        mutateRequest(admissionReview("admission.k8s.io/v1", "cc-missing", podJson("plain")))));
  };
  ASSERT_FALSE(mutated());

  fs::create_directories(dir);
  writeFileAtomically(config, R"({"identities":[{"Namespace":"default","serviceAccount":"plain"}]})");
  ASSERT_TRUE(pollUntil([&] { return mutated().has_value(); }, kReloadDeadline))
      << server->process().stderrText();

  writeFileAtomically(config, R"({"identities":[{"namespace":"default",)");
  ASSERT_TRUE(pollUntil(
      [&] {
        return server->process().stderrText().find(
                   "Container credentials config file not reloaded, keeping the last good one") !=
               std::string::npos;
      },
      kReloadDeadline))
      << server->process().stderrText();
  EXPECT_TRUE(mutated()) << "invalid content dropped the last good list";

  fs::remove(config);
  EXPECT_TRUE(pollUntil([&] { return !mutated().has_value(); }, kReloadDeadline))
      << server->process().stderrText();
}

}  // namespace
}  // namespace irsa::testsupport
