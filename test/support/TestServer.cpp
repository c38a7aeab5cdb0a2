#include "test/support/TestServer.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"

namespace irsa::testsupport {

std::string serviceAccountYaml(const std::string& ns, const std::string& name, const std::string& roleArn) {
  std::string doc =
      "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: " + name + "\n  namespace: " + ns + "\n";
  if (!roleArn.empty()) doc += "  annotations:\n    eks.amazonaws.com/role-arn: " + roleArn + "\n";
  return doc;
}

std::string defaultServiceAccounts() {
  return serviceAccountYaml("default", "annotated", kRoleArn) + serviceAccountYaml("default", "plain", "");
}

bool makeDevCert(const std::filesystem::path& dir, const std::filesystem::path& workDir) {
  const RunResult r = runBinary({"dev-cert", "--out-dir", dir.string()}, workDir);
  EXPECT_TRUE(r.status.exited && r.status.code == 0) << "dev-cert failed: " << r.err;
  return r.status.exited && r.status.code == 0;
}

std::unique_ptr<TestServer> TestServer::start(Options options) {
  std::unique_ptr<TestServer> server(new TestServer());
  if (!makeDevCert(server->certDir(), server->dir_.path())) return nullptr;
  writeFileAtomically(server->serviceAccountsFile(), options.serviceAccounts);
  const std::string cert =
      options.tlsCert.empty() ? (server->certDir() / "tls.crt").string() : options.tlsCert;
  const std::string key = options.tlsKey.empty() ? (server->certDir() / "tls.key").string() : options.tlsKey;
  std::vector<std::string> args = {"serve"};
  const std::pair<const char*, std::string> flags[] = {{"--port", "0"},
                                                       {"--metrics-port", "0"},
                                                       {"--bind-address", "127.0.0.1"},
                                                       {"--threads", "2"},
                                                       {"--tls-cert", cert},
                                                       {"--tls-key", key},
                                                       {"--service-accounts", server->serviceAccountsFile()},
                                                       {"--ready-file", server->readyFile().string()},
                                                       // Tests of the delay give their own (the last wins).
                                                       {"--shutdown-delay", "0s"}};
  for (const auto& [flag, value] : flags) {
    args.push_back(flag);
    args.push_back(value);
  }
  args.insert(args.end(), options.extraArgs.begin(), options.extraArgs.end());
  server->process_ = std::make_unique<ServerProcess>(std::move(args), server->dir_.path());
  if (options.waitServing && !server->process_->waitServing(server->readyFile())) {
    ADD_FAILURE() << "server wrote no ready file " << server->readyFile() << "; stderr:\n"
                  << server->process_->stderrText();
    return nullptr;
  }
  return server;
}

TlsClientOptions TestServer::trust() const {
  TlsClientOptions options;
  options.caFile = caFile();
  return options;
}

std::unique_ptr<TestClient> TestServer::connect() {
  auto client = std::make_unique<TestClient>();
  const error_code ec = client->connectTls(port(), trust());
  if (ec) {
    ADD_FAILURE() << "TLS connect failed: " << ec.message();
    return nullptr;
  }
  return client;
}

Reply TestServer::request(const Request& req) {
  auto client = connect();
  if (!client) return Reply{boost::asio::error::not_connected, {}};
  return client->exchange(req);
}

std::string TestServer::scrapeMetricsUntil(const std::function<bool(const std::string&)>& ready,
                                           std::chrono::milliseconds timeout) {
  std::string metrics;
  pollUntil(
      [&] {
        metrics = scrapeMetrics();
        return ready(metrics);
      },
      timeout);
  return metrics;
}

std::string TestServer::scrapeMetrics() {
  TestClient client;
  if (client.connectPlain(metricsPort())) return "";
  Reply reply = client.exchange(makeRequest(http::verb::get, "/metrics"));
  if (reply.ec || reply.response.result() != http::status::ok) return "";
  return reply.response.body();
}

std::string podJson(const std::string& serviceAccountName) {
  std::string spec =
      serviceAccountName.empty() ? "" : R"("serviceAccountName":")" + serviceAccountName + R"(",)";
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"default"},"spec":{)" +
         spec + R"("containers":[{"name":"app","image":"public.ecr.aws/docker/library/busybox:1.36"}]}})";
}

std::string admissionReview(const std::string& apiVersion, const std::string& uid, const std::string& object,
                            const std::string& operation, const std::string& ns) {
  std::string review = R"({"apiVersion":")" + apiVersion +
                       R"(","kind":"AdmissionReview","request":{"uid":")" + uid +
                       R"(","kind":{"group":"","version":"v1","kind":"Pod"},)"
                       R"("resource":{"group":"","version":"v1","resource":"pods"},)"
                       R"("name":"app","namespace":")" +
                       ns + R"(","operation":")" + operation + R"(","userInfo":{"username":"tester"})";
  if (!object.empty()) review += R"(,"object":)" + object;
  review += "}}";
  return review;
}

Request mutateRequest(std::string body, std::string contentType) {
  return makeRequest(http::verb::post, "/mutate?timeout=10s", std::move(body), std::move(contentType));
}

std::optional<double> metricValue(const std::string& exposition, std::string_view series) {
  std::size_t start = 0;
  while (start < exposition.size()) {
    const std::size_t end = std::min(exposition.find('\n', start), exposition.size());
    const std::string_view line(exposition.data() + start, end - start);
    if (line.size() > series.size() && line.substr(0, series.size()) == series &&
        line[series.size()] == ' ') {
      return std::strtod(std::string(line.substr(series.size() + 1)).c_str(), nullptr);
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> decodedPatch(const Reply& reply) {
  if (reply.ec || reply.response.result() != http::status::ok) return std::nullopt;
  rapidjson::Document doc;
  if (!webhook::parseJson(doc, reply.response.body(), 50).ok() || !doc.IsObject()) return std::nullopt;
  const rapidjson::Value* response = webhook::objectMember(doc, "response");
  const rapidjson::Value* patch = response ? webhook::member(*response, "patch") : nullptr;
  if (!patch || !patch->IsString()) return std::nullopt;
  return webhook::base64Decode(webhook::view(*patch));
}

}  // namespace irsa::testsupport
