// libFuzzer target: the files an operator hands the webhook, through the
// loaders `serve` and `mutate` read them with. One target for all of them:
// they share the YAML/JSON front end (yaml/YamlJson), so what the fuzzer
// learns of YAML for one helps the others, and CI spends one minute, not
// five. The first byte picks the input, the rest is the file's text:
//   0  --service-accounts file          kube::ServiceAccountFile::parse
//   1  --kubeconfig                     kube::parseKubeconfig (files it names
//                                       are read from a temporary directory)
//   2  ConfigMap pod-identity-webhook   YamlJson, then webhook::configMapIdentitiesOf
//                                       (mutate) and kube::ConfigMapSource::parse (serve)
//   3  that ConfigMap's data.config     webhook::ConfigMapIdentities::parse
//   4  --watch-container-credentials-config   webhook::parseContainerCredentialsFile
// Invariants, each an abort: no sanitizer report; what a loader returns is
// well-formed (ServiceAccounts: one a key, only annotations under the
// prefix, each found again by its key; a kubeconfig: a host, a numeric
// port, errors naming the file); `mutate` and `serve` agree on a ConfigMap.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include "kube/ConfigMapSource.hpp"
#include "kube/KubeconfigFile.hpp"
#include "kube/ServiceAccountFile.hpp"
#include "test/fuzz/FuzzCheck.hpp"
#include "webhook/Annotations.hpp"
#include "webhook/IdentityInputs.hpp"
#include "webhook/Json.hpp"
#include "yaml/YamlJson.hpp"

namespace {

using namespace irsa;
using fuzz::check;
namespace fs = std::filesystem;

constexpr std::string_view kPrefix = webhook::kDefaultAnnotationPrefix;

void serviceAccountFile(std::string_view text) {
  auto accounts = kube::ServiceAccountFile::parse(text, kPrefix);
  if (!accounts) return;
  std::set<std::string, std::less<>> keys;
  for (const auto& sa : *accounts) {
    check(sa.key() == std::string(sa.ns()) + "/" + std::string(sa.name()), "a key is namespace/name",
          sa.key());
    check(keys.emplace(sa.key()).second, "a ServiceAccount once a key", sa.key());
    for (const auto& [key, value] : sa.annotations()) {
      check(webhook::isUnderAnnotationPrefix(key, kPrefix), "only annotations under the prefix", key);
      check(sa.annotation(key) == value, "an annotation is found by its key", key);
    }
  }
}

const fs::path& kubeconfigDir() {
  static const fs::path dir =
      fs::temp_directory_path() / ("irsa-fuzz-kubeconfig-" + std::to_string(::getpid()));
  return dir;
}

// A directory with the files the seeds' kubeconfigs name (made once,
// removed at exit).
const std::string& kubeconfigPath() {
  static const std::string path = [] {
    const fs::path& dir = kubeconfigDir();
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(kubeconfigDir(), ignored);
    });
    fs::create_directories(dir / "pki");
    const std::string pem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";
    for (const char* name : {"ca.crt", "pki/admin.crt", "admin.key"})
      std::ofstream(dir / name) << pem;
    std::ofstream(dir / "token") << "token\n";
    return (dir / "config").string();
  }();
  return path;
}

void kubeconfig(std::string_view text) {
  const std::string& path = kubeconfigPath();
  auto config = kube::parseKubeconfig(path, text, "");
  if (!config) {
    check(config.error().rfind("kubeconfig ", 0) == 0 || config.error().rfind("kubeconfig: ", 0) == 0,
          "a kubeconfig error names the kubeconfig", config.error());
    return;
  }
  check(!config->host.empty(), "a config has a host", config->source);
  check(!config->port.empty() && config->port.find_first_not_of("0123456789") == std::string::npos,
        "a config has a numeric port", config->port);
  check(config->source.rfind("kubeconfig " + path + " context ", 0) == 0, "the source names the file",
        config->source);
}

void configMap(std::string_view text) {
  auto docs = yaml::YamlJson::parseAll(text);
  if (!docs || docs->size() != 1) return;
  const rapidjson::Value& object = docs->front();
  std::vector<std::string> warnings;
  auto offline = webhook::configMapIdentitiesOf(object, warnings);  // mutate's
  auto served = kube::ConfigMapSource::parse(object);               // serve's
  check(offline.ok() == served.ok(), "mutate and serve agree on a ConfigMap", webhook::toJson(object));
  if (offline) check(offline->size() == (*served)->size(), "with the same entries", webhook::toJson(object));
}

void configMapConfig(std::string_view text) {
  std::vector<std::string> warnings;
  auto parsed = webhook::ConfigMapIdentities::parse(text, warnings);
  if (parsed) check(parsed->size() <= text.size(), "no more entries than bytes");
}

void containerCredentials(std::string_view text) {
  const std::string path = "/etc/irsa/container-credentials.json";
  auto parsed = webhook::parseContainerCredentialsFile(path, text);
  if (!parsed) {
    check(parsed.error().rfind(path + ": ", 0) == 0, "the error names the file", parsed.error());
    return;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    check(parsed->size() == 0, "an empty file lists nobody");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::quietLogs(4);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
      serviceAccountFile(text);
      break;
    case 1:
      kubeconfig(text);
      break;
    case 2:
      configMap(text);
      break;
    case 3:
      configMapConfig(text);
      break;
    default:
      containerCredentials(text);
      break;
  }
  return 0;
}
