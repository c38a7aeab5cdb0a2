// Integration: `serve --ready-file PATH` (how the e2e suite learns the ports
// of a `--port 0` run): the file appears with both ports and the pid, the
// ports answer, and a path that cannot be written is a clear start error.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

TEST(ServerReadyFileTest, WritesBothPortsAndThePidThatAnswer) {
  TestServer::Options options;
  options.waitServing = false;  // this test reads the file itself
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  const auto readyFile = server->readyFile();
  ASSERT_TRUE(pollUntil([&] { return std::filesystem::exists(readyFile); }, std::chrono::seconds(10)))
      << server->process().stderrText();

  rapidjson::Document doc;
  const std::string text = readFile(readyFile);
  doc.Parse(text.c_str());
  ASSERT_FALSE(doc.HasParseError()) << text;
  ASSERT_TRUE(doc.IsObject()) << text;
  ASSERT_TRUE(doc.HasMember("port") && doc["port"].IsUint()) << text;
  ASSERT_TRUE(doc.HasMember("metricsPort") && doc["metricsPort"].IsUint()) << text;
  ASSERT_TRUE(doc.HasMember("pid") && doc["pid"].IsInt()) << text;
  EXPECT_EQ(doc["pid"].GetInt(), server->process().pid());
  const auto port = static_cast<unsigned short>(doc["port"].GetUint());
  const auto metricsPort = static_cast<unsigned short>(doc["metricsPort"].GetUint());
  EXPECT_NE(port, 0);
  EXPECT_NE(metricsPort, 0);
  EXPECT_NE(port, metricsPort);

  TestClient tls;
  ASSERT_FALSE(tls.connectTls(port, server->trust()));
  Reply health = tls.exchange(makeRequest(http::verb::get, "/healthz"));
  ASSERT_FALSE(health.ec) << health.ec.message();
  EXPECT_EQ(health.response.result(), http::status::ok);

  TestClient plain;
  ASSERT_FALSE(plain.connectPlain(metricsPort));
  Reply metrics = plain.exchange(makeRequest(http::verb::get, "/metrics"));
  ASSERT_FALSE(metrics.ec) << metrics.ec.message();
  EXPECT_EQ(metrics.response.result(), http::status::ok);

  // The log and ServerProcess agree, and no temporary file is left beside the ready file.
  ASSERT_TRUE(server->process().waitStartedLine());
  EXPECT_EQ(server->port(), port);
  EXPECT_EQ(server->metricsPort(), metricsPort);
  ASSERT_TRUE(server->process().waitServing(readyFile));
  EXPECT_EQ(server->port(), port);
  EXPECT_EQ(server->metricsPort(), metricsPort);
  for (const auto& entry : std::filesystem::directory_iterator(readyFile.parent_path()))
    EXPECT_EQ(entry.path().filename().string().rfind(".ready.json.tmp", 0), std::string::npos)
        << entry.path();
}

TEST(ServerReadyFileTest, AnUnwritablePathIsAStartErrorNamingTheFlag) {
  TempDir dir;
  ASSERT_TRUE(makeDevCert(dir.path() / "certs", dir.path()));
  writeFileAtomically(dir.path() / "sa.yaml", defaultServiceAccounts());
  const std::string missing = (dir.path() / "no-such-dir" / "ready.json").string();
  const RunResult r = runBinary(
      {"serve", "--port=0", "--metrics-port=0", "--bind-address=127.0.0.1", "--tls-cert",
       (dir.path() / "certs" / "tls.crt").string(), "--tls-key", (dir.path() / "certs" / "tls.key").string(),
       "--service-accounts", (dir.path() / "sa.yaml").string(), "--ready-file", missing},
      dir.path());
  ASSERT_FALSE(r.timedOut) << r.err;
  ASSERT_TRUE(r.status.exited) << "killed by signal " << r.status.signal;
  EXPECT_EQ(r.status.code, 1) << r.err;
  EXPECT_NE(r.err.find("--ready-file " + missing), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(": no such file"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("] Webhook started "), std::string::npos) << r.err;
}

}  // namespace
}  // namespace irsa::testsupport
