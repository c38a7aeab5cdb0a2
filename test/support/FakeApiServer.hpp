#pragma once
// A scriptable HTTPS server on 127.0.0.1 (port 0) standing in for the
// kube-apiserver in KubeApiClient tests. Each request is answered by running
// the handler's script of raw writes, pauses, closes and hangs, so tests can
// split chunks mid-line, never answer, or drop a keep-alive connection.
// Runs its own io_context on one thread (C++20 coroutines); counts
// connections and records requests.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "certs/DevCertificate.hpp"

namespace irsa::testsupport {

struct FakeStep {
  enum class Kind { kWrite, kPause, kClose, kHang };
  Kind kind;
  std::string data;
  std::chrono::milliseconds pause{0};
};
using FakeScript = std::vector<FakeStep>;

inline FakeStep writeRaw(std::string data) {
  return {FakeStep::Kind::kWrite, std::move(data), {}};
}
inline FakeStep pauseFor(std::chrono::milliseconds d) {
  return {FakeStep::Kind::kPause, {}, d};
}
inline FakeStep closeConnection() {
  return {FakeStep::Kind::kClose, {}, {}};
}
// Never answers: waits until the client goes away or the server stops.
inline FakeStep hang() {
  return {FakeStep::Kind::kHang, {}, {}};
}

// A whole response with Content-Length.
std::string httpResponse(int status, std::string_view body, bool keepAlive = true);
// The start of a chunked response, then its chunks and the terminating one.
std::string chunkedHeader(int status);
std::string chunk(std::string_view data);
std::string lastChunk();

struct FakeRequest {
  std::string target;
  std::string host;
  std::string authorization;
  std::string userAgent;
  std::string accept;
  bool clientCertificate{false};  // the client presented one
  std::string method;             // "GET", "POST"
  std::string contentType;
  std::string body;
};

class FakeApiServer {
 public:
  using Handler = std::function<FakeScript(const FakeRequest&)>;
  struct Options {
    certs::DevCertificateOptions cert;  // the serving certificate (a fresh CA signs it)
    std::string clientCaPem;            // non-empty: require a client certificate it signed
  };

  // nullptr (with a gtest failure) when it cannot start.
  static std::unique_ptr<FakeApiServer> start(Options options, Handler handler);
  ~FakeApiServer();  // stops the io thread; open connections just drop

  unsigned short port() const { return port_; }
  const std::string& caPem() const { return cert_.caCertPem; }
  void setHandler(Handler handler);
  int connections() const;
  std::vector<FakeRequest> requests() const;

 private:
  FakeApiServer() = default;
  struct Impl;
  certs::DevCertificate cert_;
  unsigned short port_{0};
  std::unique_ptr<Impl> impl_;
};

}  // namespace irsa::testsupport
