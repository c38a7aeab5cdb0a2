// Where serve listens: the default bind is dual stack like Go's ":port"
// (real binary on [::1] and 127.0.0.1), its fallback to 0.0.0.0 without
// IPv6 (Listener's bind seam), and the error for a privileged port that a
// non-root process cannot bind (real binary, privileges dropped).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "server/Listener.hpp"
#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// One HTTP/1.0 GET over a plain socket to `ip` (v4 or v6 literal); the
// status line, or "" when the connection failed.
std::string getStatusLine(const std::string& ip, unsigned short port, const std::string& path) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const bool v6 = ip.find(':') != std::string::npos;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    if (inet_pton(AF_INET6, ip.c_str(), &a->sin6_addr) != 1) return "";
    length = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    if (inet_pton(AF_INET, ip.c_str(), &a->sin_addr) != 1) return "";
    length = sizeof(sockaddr_in);
  }
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  timeval timeout{5, 0};  // bounds every read and write below
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string reply;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) == 0) {
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      char buf[512];
      ssize_t n = 0;
      while (reply.find("\r\n") == std::string::npos && (n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
        reply.append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  ::close(fd);
  return reply.substr(0, reply.find("\r\n"));
}

bool hasIpv6Loopback() {
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TEST(ServerListenTest, DefaultBindAnswersOnIpv4AndIpv6Loopback) {
  TestServer::Options options;
  options.extraArgs = {"--bind-address="};  // TestServer's 127.0.0.1 back to the default
  auto server = TestServer::start(options);
  ASSERT_TRUE(server);
  const auto serving = server->process().waitForLog("] Webhook started ", std::chrono::seconds(1));
  ASSERT_TRUE(serving);
  EXPECT_EQ(logField(*serving, "address"), hasIpv6Loopback() ? "::" : "0.0.0.0") << *serving;

  EXPECT_EQ(getStatusLine("127.0.0.1", server->metricsPort(), "/healthz"), "HTTP/1.1 200 OK");
  Reply tls = server->request(makeRequest(http::verb::get, "/healthz"));  // TLS over 127.0.0.1
  ASSERT_FALSE(tls.ec) << tls.ec.message();
  EXPECT_EQ(tls.response.result(), http::status::ok);
  if (!hasIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  EXPECT_EQ(getStatusLine("::1", server->metricsPort(), "/healthz"), "HTTP/1.1 200 OK");
  // The TLS port takes the connection on ::1 too (a plain request gets no HTTP answer).
  const int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  a.sin6_port = htons(server->port());
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  ::close(fd);
}

TEST(ServerListenTest, ExplicitBindAddressListensThereOnly) {
  auto server = TestServer::start();  // --bind-address 127.0.0.1
  ASSERT_TRUE(server);
  EXPECT_EQ(getStatusLine("127.0.0.1", server->metricsPort(), "/healthz"), "HTTP/1.1 200 OK");
  if (!hasIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  EXPECT_EQ(getStatusLine("::1", server->metricsPort(), "/healthz"), "");
}

// --- the fallback, through Listener's bind seam -------------------------------

server::Listener::BindStep withoutIpv6(boost::system::error_code v6Error) {
  return [v6Error](tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
    if (endpoint.address().is_v6()) return v6Error;
    return server::Listener::openAndBind(acceptor, endpoint);
  };
}

TEST(ServerListenTest, DefaultBindFallsBackToIpv4WhenTheKernelHasNoIpv6) {
  for (const auto& error :
       {boost::system::error_code(net::error::address_family_not_supported),
        boost::system::errc::make_error_code(boost::system::errc::address_not_available)}) {
    net::io_context ioc;
    auto listener = server::Listener::create(
        ioc, "", 0, [](tcp::socket&&) {}, "webhook", "--port", withoutIpv6(error));
    ASSERT_TRUE(listener.ok()) << error.message() << ": " << listener.error();
    EXPECT_EQ((*listener)->address(), "0.0.0.0");
    EXPECT_NE((*listener)->port(), 0);
  }
}

TEST(ServerListenTest, OtherIpv6ErrorsAndExplicitAddressesDoNotFallBack) {
  net::io_context ioc;
  auto denied = server::Listener::create(
      ioc, "", 0, [](tcp::socket&&) {}, "webhook", "--port",
      withoutIpv6(boost::system::errc::make_error_code(boost::system::errc::address_in_use)));
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.error().find("[::]:0"), std::string::npos) << denied.error();
  auto explicitV6 = server::Listener::create(
      ioc, "::", 0, [](tcp::socket&&) {}, "webhook", "--port",
      withoutIpv6(boost::system::error_code(net::error::address_family_not_supported)));
  EXPECT_FALSE(explicitV6.ok());
}

TEST(ServerListenTest, DefaultBindIsDualStackWhateverTheHostDefault) {
  net::io_context ioc;
  auto listener = server::Listener::create(
      ioc, "", 0, [](tcp::socket&&) {}, "webhook");
  ASSERT_TRUE(listener.ok()) << listener.error();
  if (!hasIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  EXPECT_EQ((*listener)->address(), "::");
  // A v4 connection to the v6 wildcard socket: the kernel completes it in the backlog.
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((*listener)->port());
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0) << std::strerror(errno);
  ::close(fd);
}

TEST(ServerListenTest, PermissionDeniedBelow1024NamesTheFixes) {
  net::io_context ioc;
  const auto denied = [](tcp::acceptor&, const tcp::endpoint&) {
    return boost::system::errc::make_error_code(boost::system::errc::permission_denied);
  };
  auto webhook = server::Listener::create(
      ioc, "", 443, [](tcp::socket&&) {}, "webhook", "--port", denied);
  ASSERT_FALSE(webhook.ok());
  for (const char* fix : {"--port 8443", "targetPort", "net.ipv4.ip_unprivileged_port_start", "443",
                          "securityContext.sysctls", "CAP_NET_BIND_SERVICE"}) {
    EXPECT_NE(webhook.error().find(fix), std::string::npos) << fix << " in: " << webhook.error();
  }
  auto metrics = server::Listener::create(
      ioc, "", 99, [](tcp::socket&&) {}, "metrics", "--metrics-port", denied);
  ASSERT_FALSE(metrics.ok());
  EXPECT_NE(metrics.error().find("--metrics-port 9999"), std::string::npos) << metrics.error();
  auto high = server::Listener::create(
      ioc, "", 8443, [](tcp::socket&&) {}, "webhook", "--port", denied);
  ASSERT_FALSE(high.ok());
  EXPECT_EQ(high.error().find("ip_unprivileged_port_start"), std::string::npos) << high.error();
}

// --- the real binary as a non-root user on port 443 -----------------------------

int unprivilegedPortStart() {
  std::ifstream in("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  int value = 1024;
  in >> value;
  return in ? value : 1024;
}

TEST(ServerListenTest, NonRootOnPort443FailsNamingTheFixes) {
  if (unprivilegedPortStart() <= 443) {
    GTEST_SKIP() << "net.ipv4.ip_unprivileged_port_start is " << unprivilegedPortStart()
                 << ": anyone may bind 443 here";
  }
  TempDir dir;
  ASSERT_TRUE(makeDevCert(dir.path() / "certs", dir.path()));
  writeFileAtomically(dir.file("sa.yaml"), defaultServiceAccounts());
  std::vector<std::string> args;
  std::string binary = binaryPath();
  if (::geteuid() == 0) {
    if (!std::filesystem::exists("/usr/bin/setpriv"))
      GTEST_SKIP() << "root, and no setpriv to drop privileges";
    // The unprivileged server must read its files.
    for (const auto& p : {dir.path(), dir.path() / "certs"})
      ::chmod(p.c_str(), 0755);
    for (const char* f : {"certs/tls.crt", "certs/tls.key", "sa.yaml"})
      ::chmod(dir.file(f).c_str(), 0644);
    args = {"--reuid=65534", "--regid=65534", "--clear-groups", binary};
    binary = "/usr/bin/setpriv";
  }
  for (const std::string& a :
       {std::string("--port=443"), std::string("--metrics-port=0"), "--tls-cert=" + dir.file("certs/tls.crt"),
        "--tls-key=" + dir.file("certs/tls.key"), "--service-accounts=" + dir.file("sa.yaml")}) {
    args.push_back(a);
  }
  const RunResult r = runBinary(args, dir.path(), std::chrono::seconds(10), binary);
  ASSERT_FALSE(r.timedOut) << r.err;
  ASSERT_TRUE(r.status.exited) << r.err;
  EXPECT_EQ(r.status.code, 1) << r.err;
  for (const char* fix :
       {":443", "--port 8443", "net.ipv4.ip_unprivileged_port_start", "CAP_NET_BIND_SERVICE"}) {
    EXPECT_NE(r.err.find(fix), std::string::npos) << fix << " in: " << r.err;
  }
  EXPECT_EQ(r.err.find("] Webhook started "), std::string::npos) << r.err;
}

}  // namespace
}  // namespace irsa::testsupport
