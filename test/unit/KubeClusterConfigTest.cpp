// loadClusterConfig: kubeconfig variants (embedded data, files relative to
// the kubeconfig, named contexts, tokens, exec plugins), the
// in-cluster environment from a temp dir, and --kube-api overrides.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kube/ClusterConfig.hpp"
#include "kube/KubeconfigFile.hpp"
#include "kube/ServerUrl.hpp"
#include "test/support/TempDir.hpp"
#include "webhook/Base64.hpp"

namespace irsa::kube {
namespace {

using testsupport::TempDir;
using testsupport::writeFileAtomically;

constexpr const char* kCa = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
constexpr const char* kCert = "-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n";
constexpr const char* kKey = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n";

// Sets (or unsets) an environment variable for one test and restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string b64(const std::string& s) {
  return webhook::base64Encode(s);
}

// A kubeconfig with two contexts; `user` is the YAML body of user "u".
std::string kubeconfig(const std::string& cluster, const std::string& user,
                       const std::string& current = "main") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: " + current +
         "\n"
         "clusters:\n"
         "- name: c\n  cluster:\n" +
         cluster +
         "- name: other\n  cluster:\n    server: https://other.example:8443\n"
         "contexts:\n"
         "- name: main\n  context: {cluster: c, user: u, namespace: kube-system}\n"
         "- name: second\n  context: {cluster: other, user: u}\n"
         "users:\n"
         "- name: u\n  user:\n" +
         user;
}

class KubeClusterConfigTest : public ::testing::Test {
 protected:
  util::Result<ClusterConfig> load(const std::string& text, ClusterConfigOptions options = {}) {
    writeFileAtomically(dir_.file("config"), text);
    options.kubeconfigPath = dir_.file("config");
    return loadClusterConfig(options);
  }
  TempDir dir_;
};

TEST_F(KubeClusterConfigTest, EmbeddedDataFromTheCurrentContext) {
  auto config = load(kubeconfig(
      "    server: https://api.example.com:6443\n    certificate-authority-data: " + b64(kCa) + "\n",
      "    client-certificate-data: " + b64(kCert) + "\n    client-key-data: " + b64(kKey) + "\n"));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "api.example.com");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(config->basePath, "");
  EXPECT_EQ(config->tlsServerName, "api.example.com");
  EXPECT_EQ(config->caPem, kCa);
  EXPECT_EQ(config->clientCertPem, kCert);
  EXPECT_EQ(config->clientKeyPem, kKey);
  EXPECT_FALSE(config->insecureSkipTlsVerify);
  EXPECT_EQ(config->source, "kubeconfig " + dir_.file("config") + " context main");
}

TEST_F(KubeClusterConfigTest, FilePathsAreRelativeToTheKubeconfigDirectory) {
  std::filesystem::create_directories(dir_.path() / "pki");
  writeFileAtomically(dir_.path() / "pki" / "ca.crt", kCa);
  writeFileAtomically(dir_.path() / "pki" / "admin.crt", kCert);
  writeFileAtomically(dir_.path() / "admin.key", kKey);
  auto config =
      load(kubeconfig("    server: https://10.0.0.1\n    certificate-authority: pki/ca.crt\n",
                      "    client-certificate: pki/admin.crt\n    client-key: " + dir_.file("admin.key") +
                          "\n    tokenFile: ./token\n"));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "10.0.0.1");
  EXPECT_EQ(config->port, "443");
  EXPECT_EQ(config->caPem, kCa);
  EXPECT_EQ(config->clientCertPem, kCert);
  EXPECT_EQ(config->clientKeyPem, kKey);
  EXPECT_EQ(config->tokenFile, dir_.file("token"));
}

TEST_F(KubeClusterConfigTest, AMissingReferencedFileIsNamedInTheError) {
  auto config =
      load(kubeconfig("    server: https://h\n    certificate-authority: nope/ca.crt\n", "    {}\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("kubeconfig " + dir_.file("config")), std::string::npos) << config.error();
  EXPECT_NE(config.error().find(dir_.file("nope/ca.crt")), std::string::npos) << config.error();
}

TEST_F(KubeClusterConfigTest, ANamedContextWinsOverCurrentContext) {
  ClusterConfigOptions options;
  options.context = "second";
  auto config = load(kubeconfig("    server: https://h\n", "    token: abc\n"), options);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "other.example");
  EXPECT_EQ(config->port, "8443");
  EXPECT_EQ(config->bearerToken, "abc");
  EXPECT_EQ(config->source, "kubeconfig " + dir_.file("config") + " context second");
}

TEST_F(KubeClusterConfigTest, AMissingContextIsAnErrorNamingFileAndContext) {
  ClusterConfigOptions options;
  options.context = "nope";
  auto config = load(kubeconfig("    server: https://h\n", "    {}\n"), options);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error(), "kubeconfig " + dir_.file("config") + ": context \"nope\" not found");
}

TEST_F(KubeClusterConfigTest, NoCurrentContextIsAnError) {
  auto config = load("apiVersion: v1\nkind: Config\nclusters: []\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("current-context is not set"), std::string::npos) << config.error();
}

TEST_F(KubeClusterConfigTest, AContextNamingAMissingClusterOrUserIsAnError) {
  auto config = load(
      "current-context: x\ncontexts:\n- name: x\n  context: {cluster: gone, user: u}\nclusters: []\nusers: "
      "[]\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("cluster \"gone\" not found"), std::string::npos) << config.error();
  config = load(
      "current-context: x\ncontexts:\n- name: x\n  context: {cluster: c, user: gone}\n"
      "clusters:\n- name: c\n  cluster: {server: 'https://h'}\n");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("user \"gone\" not found"), std::string::npos) << config.error();
}

TEST_F(KubeClusterConfigTest, AuthProviderUsersAreNotSupported) {
  auto provider = load(kubeconfig("    server: https://h\n", "    auth-provider:\n      name: gcp\n"));
  ASSERT_FALSE(provider.ok());
  EXPECT_NE(provider.error().find("auth-provider"), std::string::npos) << provider.error();
}

// What `aws eks update-kubeconfig` writes.
TEST_F(KubeClusterConfigTest, AnExecPluginIsReadWithArgsEnvAndInstallHint) {
  auto config = load(
      kubeconfig("    server: https://h\n",
                 "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n"
                 "      args: [--region, us-west-2, eks, get-token, --cluster-name, prod]\n"
                 "      env:\n      - {name: AWS_PROFILE, value: admin}\n"
                 "      installHint: install the AWS CLI\n"));
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_TRUE(config->exec.has_value());
  EXPECT_EQ(config->exec->apiVersion, "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(config->exec->command, "aws");  // looked up in PATH when it runs
  EXPECT_EQ(config->exec->args, (std::vector<std::string>{"--region", "us-west-2", "eks", "get-token",
                                                          "--cluster-name", "prod"}));
  ASSERT_EQ(config->exec->env.size(), 1u);
  EXPECT_EQ(config->exec->env[0], (std::pair<std::string, std::string>{"AWS_PROFILE", "admin"}));
  EXPECT_EQ(config->exec->installHint, "install the AWS CLI");
  EXPECT_FALSE(config->exec->provideClusterInfo);
  EXPECT_EQ(config->bearerToken, "");
}

TEST_F(KubeClusterConfigTest, AnExecCommandPathIsRelativeToTheKubeconfigAndClusterInfoIsKept) {
  auto config = load(
      "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
      "clusters:\n- name: c\n  cluster:\n    server: https://h\n"
      "    extensions:\n    - name: client.authentication.k8s.io/exec\n      extension: {audience: x}\n"
      "contexts:\n- name: main\n  context: {cluster: c, user: u}\n"
      "users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
      "      command: ./bin/plugin\n      interactiveMode: Never\n      provideClusterInfo: true\n");
  ASSERT_TRUE(config.ok()) << config.error();
  ASSERT_TRUE(config->exec.has_value());
  EXPECT_EQ(config->exec->command, (dir_.path() / "bin/plugin").string());
  EXPECT_TRUE(config->exec->provideClusterInfo);
  EXPECT_EQ(config->exec->clusterConfigJson, R"({"audience":"x"})");
}

TEST_F(KubeClusterConfigTest, InvalidExecPluginsAreRefusedAsClientcmdDoes) {
  const std::string v1 = "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: p\n";
  const std::pair<std::string, std::string> cases[] = {
      {v1, "interactiveMode is required"},
      {v1 + "      interactiveMode: Always\n", "needs a terminal"},
      {v1 + "      interactiveMode: Sometimes\n", "interactiveMode must be"},
      {"    exec:\n      apiVersion: client.authentication.k8s.io/v1alpha1\n      command: p\n",
       "not supported"},
      {"    exec:\n      command: p\n", "apiVersion is required"},
      {"    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n", "command is required"},
      {"    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: p\n      args: x\n",
       "args must be a list"},
      {"    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: p\n"
       "      env: [{value: x}]\n",
       "env entries need a name"},
      {"    token: t\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: p\n",
       "mutually exclusive"},
  };
  for (const auto& [user, message] : cases) {
    auto config = load(kubeconfig("    server: https://h\n", user));
    ASSERT_FALSE(config.ok()) << user;
    EXPECT_NE(config.error().find(message), std::string::npos) << config.error();
    EXPECT_NE(config.error().find("user \"u\""), std::string::npos) << config.error();
  }
}

TEST_F(KubeClusterConfigTest, TokenAndInsecureAndServerNameAreRead) {
  auto config =
      load(kubeconfig("    server: https://[fd00::1]:6443/prefix/\n    insecure-skip-tls-verify: true\n"
                      "    tls-server-name: kubernetes.default.svc\n",
                      "    token: s3cret\n"));
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "fd00::1");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(config->basePath, "/prefix");
  EXPECT_TRUE(config->insecureSkipTlsVerify);
  EXPECT_EQ(config->tlsServerName, "kubernetes.default.svc");
  EXPECT_EQ(config->bearerToken, "s3cret");
}

TEST_F(KubeClusterConfigTest, BadBase64AndPlainHttpAreRefused) {
  auto badData =
      load(kubeconfig("    server: https://h\n    certificate-authority-data: '%%%'\n", "    {}\n"));
  ASSERT_FALSE(badData.ok());
  EXPECT_NE(badData.error().find("certificate-authority-data is not valid base64"), std::string::npos)
      << badData.error();
  auto http = load(kubeconfig("    server: http://h:8080\n", "    {}\n"));
  ASSERT_FALSE(http.ok());
  EXPECT_NE(http.error().find("scheme \"http\" is not supported"), std::string::npos) << http.error();
}

TEST_F(KubeClusterConfigTest, MissingOrInvalidFilesAreErrorsNamingThem) {
  ClusterConfigOptions options;
  options.kubeconfigPath = dir_.file("absent");
  auto missing = loadClusterConfig(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find(dir_.file("absent")), std::string::npos) << missing.error();
  auto invalid = load("clusters: [\n");
  ASSERT_FALSE(invalid.ok());
  EXPECT_NE(invalid.error().find(dir_.file("config")), std::string::npos) << invalid.error();
}

// parseKubeconfig is readKubeconfig on text read already (the fuzz target's
// way in): the same config, the same errors, files relative to the path.
TEST_F(KubeClusterConfigTest, ParsingTheTextGivesWhatReadingTheFileGives) {
  writeFileAtomically(dir_.path() / "ca.crt", kCa);
  const std::string path = dir_.file("config");
  const std::string good =
      kubeconfig("    server: https://10.0.0.1\n    certificate-authority: ca.crt\n", "    token: t\n");
  writeFileAtomically(path, good);
  auto read = readKubeconfig(path, "");
  auto parsed = parseKubeconfig(path, good, "");
  ASSERT_TRUE(read.ok()) << read.error();
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->caPem, kCa);
  EXPECT_EQ(parsed->bearerToken, read->bearerToken);
  EXPECT_EQ(parsed->source, read->source);

  for (const std::string bad : {"clusters: [\n", "[1, 2]", "a: 1\n---\nb: 2\n"}) {
    writeFileAtomically(path, bad);
    auto readBad = readKubeconfig(path, "");
    auto parsedBad = parseKubeconfig(path, bad, "");
    ASSERT_FALSE(readBad.ok()) << bad;
    ASSERT_FALSE(parsedBad.ok()) << bad;
    EXPECT_EQ(parsedBad.error(), readBad.error());
  }
}

TEST_F(KubeClusterConfigTest, KubeApiReplacesTheKubeconfigServer) {
  ClusterConfigOptions options;
  options.serverOverride = "https://127.0.0.1:7443/base";
  auto config = load(kubeconfig("    server: https://api.example.com\n", "    token: t\n"), options);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, "7443");
  EXPECT_EQ(config->basePath, "/base");
  EXPECT_EQ(config->tlsServerName, "127.0.0.1");
  EXPECT_EQ(config->bearerToken, "t");
}

// ---- in-cluster --------------------------------------------------------------

class KubeInClusterConfigTest : public ::testing::Test {
 protected:
  KubeInClusterConfigTest() {
    writeFileAtomically(dir_.path() / "ca.crt", kCa);
    writeFileAtomically(dir_.path() / "token", "sa-token\n");
    options_.inClusterDir = dir_.path().string();
  }
  TempDir dir_;
  ClusterConfigOptions options_;
};

TEST_F(KubeInClusterConfigTest, UsesTheServiceEnvironmentCaAndTokenFile) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  auto config = loadClusterConfig(options_);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "10.96.0.1");
  EXPECT_EQ(config->port, "443");
  EXPECT_EQ(config->tlsServerName, "10.96.0.1");
  EXPECT_EQ(config->caPem, kCa);
  EXPECT_EQ(config->tokenFile, dir_.file("token"));
  EXPECT_EQ(config->bearerToken, "");
  EXPECT_EQ(config->source, "in-cluster");
}

TEST_F(KubeInClusterConfigTest, AnIpv6ServiceHostIsKeptWithoutBrackets) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "fd00:10:96::1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "6443");
  auto config = loadClusterConfig(options_);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "fd00:10:96::1");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(joinHostPort(config->host, config->port), "[fd00:10:96::1]:6443");
}

TEST_F(KubeInClusterConfigTest, KubeApiOverridesTheInClusterServerButKeepsItsCredentials) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  options_.serverOverride = "https://kube-api.internal:6443";
  auto config = loadClusterConfig(options_);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "kube-api.internal");
  EXPECT_EQ(config->port, "6443");
  EXPECT_EQ(config->tlsServerName, "kube-api.internal");
  EXPECT_EQ(config->caPem, kCa);
  EXPECT_EQ(config->tokenFile, dir_.file("token"));
}

TEST_F(KubeInClusterConfigTest, OutsideAClusterWithoutKubeconfigIsAnError) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", nullptr);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", nullptr);
  auto config = loadClusterConfig(options_);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find("--kubeconfig"), std::string::npos) << config.error();
}

TEST_F(KubeInClusterConfigTest, OutsideAClusterKubeApiAloneGivesAnAnonymousConfig) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", nullptr);
  ScopedEnv port("KUBERNETES_SERVICE_PORT", nullptr);
  options_.serverOverride = "https://127.0.0.1:6443";
  auto config = loadClusterConfig(options_);
  ASSERT_TRUE(config.ok()) << config.error();
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->caPem, "");
  EXPECT_EQ(config->tokenFile, "");
}

TEST_F(KubeInClusterConfigTest, AMissingTokenFileIsNamed) {
  ScopedEnv host("KUBERNETES_SERVICE_HOST", "10.96.0.1");
  ScopedEnv port("KUBERNETES_SERVICE_PORT", "443");
  std::filesystem::remove(dir_.path() / "token");
  auto config = loadClusterConfig(options_);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().find(dir_.file("token")), std::string::npos) << config.error();
}

// ---- server URLs ---------------------------------------------------------------

TEST(KubeServerUrl, SplitsHostPortAndPath) {
  auto url = parseServerUrl("https://Example.com:8443/a/b/");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->host, "Example.com");
  EXPECT_EQ(url->port, "8443");
  EXPECT_EQ(url->basePath, "/a/b");
  auto bare = parseServerUrl("10.0.0.1:6443");
  ASSERT_TRUE(bare.ok()) << bare.error();
  EXPECT_EQ(bare->host, "10.0.0.1");
  EXPECT_EQ(bare->port, "6443");
}

TEST(KubeServerUrl, RefusesWhatItCannotConnectTo) {
  for (const char* bad : {"http://h", "https://", "https://h:0", "https://h:99999", "https://u:p@h",
                          "https://h/?q=1", "https://::1:443", "https://[::1"}) {
    EXPECT_FALSE(parseServerUrl(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace irsa::kube
