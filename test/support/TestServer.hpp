#pragma once
// One `irsa-webhook serve` for an integration test: a temp dir with a fresh
// dev certificate (`irsa-webhook dev-cert`) and a ServiceAccounts file, the
// server on 127.0.0.1 with port 0 for both listeners, and clients that trust
// exactly its CA. Plus builders for AdmissionReview bodies.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "test/support/ServerProcess.hpp"
#include "test/support/TempDir.hpp"
#include "test/support/TestClient.hpp"

namespace irsa::testsupport {

inline constexpr const char* kRoleArn = "arn:aws:iam::111122223333:role/annotated-role";

// default/annotated (role-arn kRoleArn) and default/plain (no annotations).
std::string defaultServiceAccounts();
// A ServiceAccount document; no annotation when roleArn is empty.
std::string serviceAccountYaml(const std::string& ns, const std::string& name, const std::string& roleArn);

// Writes ca.crt, tls.crt and tls.key into `dir` with the real binary.
bool makeDevCert(const std::filesystem::path& dir, const std::filesystem::path& workDir);

class TestServer {
 public:
  struct Options {
    std::vector<std::string> extraArgs;
    std::string serviceAccounts = defaultServiceAccounts();
    // Serving certificate and key; empty: the dev-cert files in certDir().
    std::string tlsCert;
    std::string tlsKey;
    // Wait for readyFile() before start() returns (serve always writes it).
    bool waitServing{true};
  };

  // nullptr (with a gtest failure carrying the server log) if it did not start.
  static std::unique_ptr<TestServer> start(Options options);
  static std::unique_ptr<TestServer> start() { return start(Options{}); }

  ServerProcess& process() { return *process_; }
  unsigned short port() const { return process_->port(); }
  unsigned short metricsPort() const { return process_->metricsPort(); }
  const TempDir& dir() const { return dir_; }
  std::filesystem::path certDir() const { return dir_.path() / "certs"; }
  std::string caFile() const { return (certDir() / "ca.crt").string(); }
  std::string serviceAccountsFile() const { return dir_.file("service-accounts.yaml"); }
  // Where `serve --ready-file` writes the ports: how start() learns them.
  std::filesystem::path readyFile() const { return dir_.path() / "ready.json"; }

  // TLS options that trust this server's CA only.
  TlsClientOptions trust() const;
  // A connected, handshaken client (nullptr with a gtest failure otherwise).
  std::unique_ptr<TestClient> connect();
  // One request on a fresh connection.
  Reply request(const Request& req);
  // GET /metrics on the plain-HTTP metrics port ("" on failure).
  std::string scrapeMetrics();
  // Scrapes until `ready(exposition)` holds or `timeout` passes; returns the
  // last scrape (counters are updated after a response is written: poll).
  std::string scrapeMetricsUntil(const std::function<bool(const std::string&)>& ready,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  TestServer() = default;
  TempDir dir_;
  std::unique_ptr<ServerProcess> process_;
};

// A pod with one container, `serviceAccountName` set unless empty.
std::string podJson(const std::string& serviceAccountName);
// An AdmissionReview for pods; `object` is spliced in raw (may be "" to omit it).
std::string admissionReview(const std::string& apiVersion, const std::string& uid, const std::string& object,
                            const std::string& operation = "CREATE", const std::string& ns = "default");
Request mutateRequest(std::string body, std::string contentType = "application/json");

// The value of one series in a Prometheus text exposition, e.g.
// `pod_identity_webhook_missing_sa_count` or `http_request_count{code="200",…}`.
std::optional<double> metricValue(const std::string& exposition, std::string_view series);

// The decoded JSON Patch of a 200 AdmissionReview answer; nullopt when the
// answer has no `patch` (or is not one).
std::optional<std::string> decodedPatch(const Reply& reply);

}  // namespace irsa::testsupport
