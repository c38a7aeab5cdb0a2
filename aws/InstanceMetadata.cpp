#include "aws/InstanceMetadata.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "util/Log.hpp"
#include "webhook/IdentityResolver.hpp"
#include "webhook/Json.hpp"

namespace irsa::aws {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr const char* kTokenPath = "/latest/api/token";
constexpr const char* kDocumentPath = "/latest/dynamic/instance-identity/document";
constexpr const char* kTokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr const char* kTokenHeader = "X-aws-ec2-metadata-token";
constexpr const char* kNeedsImds = " (--compose-role-arn needs EC2 instance metadata, IMDSv2 or IMDSv1)";
constexpr std::size_t kMaxTokenBytes = 4096;
constexpr std::size_t kMaxQuotedBody = 200;

struct Endpoint {
  std::string host;  // without brackets, for resolving
  unsigned short port{80};
  std::string authority;  // as given, for the Host header
};

// `http://host[:port]` with an optional trailing slash; anything else is a
// typo we would rather report than guess at.
util::Result<Endpoint> parseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.starts_with("https://"))
    return util::fail("https is not supported: instance metadata is plain HTTP");
  if (!url.starts_with(kScheme)) return util::fail("expected http://host[:port]");
  std::string_view authority = url.substr(kScheme.size());
  while (authority.ends_with('/'))
    authority.remove_suffix(1);
  if (authority.find('/') != std::string_view::npos) return util::fail("a path is not supported");

  Endpoint ep{.host = {}, .port = 80, .authority = std::string(authority)};
  std::string_view rest;
  if (authority.starts_with('[')) {  // IPv6 literal, e.g. the SDKs' [fd00:ec2::254]
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return util::fail("unterminated [IPv6] host");
    ep.host = std::string(authority.substr(1, close - 1));
    rest = authority.substr(close + 1);
  } else {
    const auto colon = authority.find(':');
    ep.host = std::string(authority.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (ep.host.empty()) return util::fail("no host");
  if (!rest.empty()) {
    const std::string_view port = rest.substr(1);
    const bool digits =
        !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string_view::npos;
    const int number = digits ? std::stoi(std::string(port)) : 0;
    if (!rest.starts_with(':') || number < 1 || number > 65535) return util::fail("invalid port");
    ep.port = static_cast<unsigned short>(number);
  }
  return ep;
}

// Runs `ioc` until the pending operation sets `done` or `deadline` passes.
// On timeout `cancel` aborts the operation and its handler is drained, so
// nothing outlives the caller's stack frame.
bool runUntil(asio::io_context& ioc, const bool& done, Clock::time_point deadline,
              const std::function<void()>& cancel) {
  ioc.restart();
  ioc.run_until(deadline);
  if (done) return true;
  cancel();
  ioc.restart();
  ioc.run();
  return false;
}

struct Reply {
  unsigned status{0};
  std::string reason;
  std::string body;
};

// A transport failure: worth another attempt, and for the token PUT a reason
// to fall back to IMDSv1.
util::Error unreachable(std::string message) {
  return util::fail(util::ErrorCode::kUnreachable, std::move(message));
}

util::Error timedOut(std::chrono::milliseconds timeout, const char* step) {
  // The classic cause: IMDSv2 answers PUT with IP TTL (hop limit) 1, which
  // dies on the extra hop into a pod's network namespace.
  return unreachable(
      "timed out after " + std::to_string(timeout.count()) + "ms " + step +
      " (from a pod the instance's metadata hop limit, HttpPutResponseHopLimit, must be at least 2)");
}

util::Result<std::vector<tcp::endpoint>> resolve(asio::io_context& ioc, const Endpoint& ep,
                                                 Clock::time_point deadline,
                                                 std::chrono::milliseconds timeout) {
  error_code ec;
  // IP literals (the usual case) skip the resolver and its helper thread.
  const auto address = asio::ip::make_address(ep.host, ec);
  if (!ec) return std::vector<tcp::endpoint>{tcp::endpoint(address, ep.port)};

  tcp::resolver resolver(ioc);
  std::vector<tcp::endpoint> endpoints;
  bool done = false;
  resolver.async_resolve(ep.host, std::to_string(ep.port), tcp::resolver::numeric_service,
                         [&](error_code e, const tcp::resolver::results_type& results) {
                           ec = e, done = true;
                           for (const auto& entry : results)
                             endpoints.push_back(entry.endpoint());
                         });
  if (!runUntil(ioc, done, deadline, [&] { resolver.cancel(); }))
    return timedOut(timeout, "resolving the host");
  if (ec) return unreachable("resolve " + ep.host + ": " + ec.message());
  return endpoints;
}

// One request on a fresh connection (IMDS needs no keep-alive for two calls),
// all of it before `deadline`. Every failure is ErrorCode::kUnreachable; an
// answer, whatever its status, is a Reply.
util::Result<Reply> exchange(asio::io_context& ioc, const Endpoint& ep, http::request<http::string_body>& req,
                             Clock::time_point deadline, std::chrono::milliseconds timeout,
                             std::size_t maxBody) {
  auto endpoints = resolve(ioc, ep, deadline, timeout);
  if (!endpoints) return endpoints.failure();

  tcp::socket socket(ioc);
  auto abort = [&] {
    error_code ignored;
    socket.close(ignored);  // the pending handler then runs with operation_aborted
  };
  error_code ec;
  bool done = false;
  asio::async_connect(socket, *endpoints, [&](error_code e, const tcp::endpoint&) { ec = e, done = true; });
  if (!runUntil(ioc, done, deadline, abort)) return timedOut(timeout, "connecting");
  if (ec) return unreachable("connect to " + ep.authority + ": " + ec.message());

  done = false;
  http::async_write(socket, req, [&](error_code e, std::size_t) { ec = e, done = true; });
  if (!runUntil(ioc, done, deadline, abort)) return timedOut(timeout, "sending the request");
  if (ec) return unreachable("sending the request: " + ec.message());

  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(maxBody);
  done = false;
  http::async_read(socket, buffer, parser, [&](error_code e, std::size_t) { ec = e, done = true; });
  if (!runUntil(ioc, done, deadline, abort)) return timedOut(timeout, "waiting for the answer");
  if (ec) return unreachable("reading the answer: " + ec.message());

  socket.shutdown(tcp::socket::shutdown_both, ec);  // best effort; the answer is in
  auto& res = parser.get();
  return Reply{res.result_int(), std::string(res.reason()), std::move(res.body())};
}

std::string quoteBody(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kMaxQuotedBody)) {
    out += (c >= 0x20 && c < 0x7f) ? c : ' ';
  }
  if (body.size() > kMaxQuotedBody) out += "...";
  return out;
}

// An answer with a status we did not want: ErrorCode::kHttpStatus, the status
// in Error::httpStatus.
util::Error statusFailure(const char* method, const char* path, const Reply& reply) {
  std::string reason = std::string(method) + " " + path + " answered HTTP " + std::to_string(reply.status);
  if (!reply.reason.empty()) reason += " " + reply.reason;
  if (!reply.body.empty()) reason += ": " + quoteBody(reply.body);
  if (std::string_view(path) == kTokenPath) {
    if (reply.status == 403) reason += "; instance metadata may be disabled on this instance";
    if (reply.status == 405) reason += "; something in between refuses PUT (a proxy?)";
  }
  return util::httpFailure(static_cast<int>(reply.status), std::move(reason));
}

// What fetch() tries again: no answer, or a server error (5xx). Other
// statuses and bad documents are final.
bool worthRetrying(const util::Error& error) {
  return error.code == util::ErrorCode::kUnreachable ||
         (error.code == util::ErrorCode::kHttpStatus && error.httpStatus >= 500);
}

bool isAccountId(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool isRegion(std::string_view s) {
  return !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

util::Result<InstanceIdentity> parseDocument(const std::string& body) {
  auto bad = [](const std::string& reason) { return util::fail("instance identity document " + reason); };
  rapidjson::Document doc;
  if (auto parsed = webhook::parseJson(doc, body, webhook::kDefaultMaxJsonDepth); !parsed) {
    return parsed.failure().within("instance identity document is not JSON");
  }
  if (!doc.IsObject()) return bad("is not a JSON object");
  const std::string_view account = webhook::stringMember(doc, "accountId");
  const std::string_view region = webhook::stringMember(doc, "region");
  if (account.empty()) return bad("has no \"accountId\" string");
  if (!isAccountId(account)) return bad("has an invalid \"accountId\": \"" + quoteBody(account) + "\"");
  if (region.empty()) return bad("has no \"region\" string");
  if (!isRegion(region)) return bad("has an invalid \"region\": \"" + quoteBody(region) + "\"");
  return InstanceIdentity{std::string(account), std::string(region)};
}

// Whether a failed token request means "this IMDS has no IMDSv2 here", so
// the plain IMDSv1 GET is worth trying, as the AWS SDKs decide it: refused
// (403, 404, 405) or no answer at all (transport error, timeout). A 400 and
// other statuses are real errors.
bool fallsBackToImdsV1(unsigned status) {
  return status == 403 || status == 404 || status == 405;
}

// Token PUT then document GET, both within one deadline; or, once the token
// request has been refused or timed out (`useToken` turns false and stays so
// for later attempts), the GET alone with a fresh deadline.
util::Result<InstanceIdentity> attemptOnce(const Endpoint& ep, const InstanceMetadataOptions& options,
                                           bool& useToken, std::string& tokenFailure) {
  asio::io_context ioc;
  auto deadline = Clock::now() + options.timeout;

  std::string token;
  if (useToken) {
    http::request<http::string_body> put{http::verb::put, kTokenPath, 11};
    put.set(http::field::host, ep.authority);
    put.set(http::field::user_agent, "irsa-webhook");
    put.set(kTokenTtlHeader, std::to_string(options.tokenTtl.count()));
    put.prepare_payload();
    auto tokenReply = exchange(ioc, ep, put, deadline, options.timeout, kMaxTokenBytes);
    if (!tokenReply) {
      tokenFailure = tokenReply.failure().within("PUT " + std::string(kTokenPath)).message;
    } else if (fallsBackToImdsV1(tokenReply->status)) {
      tokenFailure = statusFailure("PUT", kTokenPath, *tokenReply).message;
    } else if (tokenReply->status != 200) {
      return statusFailure("PUT", kTokenPath, *tokenReply);
    } else {
      std::string_view body = tokenReply->body;
      while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ')) {
        body.remove_suffix(1);
      }
      // Goes into a header: refuse anything that could split it.
      const bool printable =
          !body.empty() && std::all_of(body.begin(), body.end(), [](char c) { return c > 0x20 && c < 0x7f; });
      if (!printable) {
        return util::fail("PUT " + std::string(kTokenPath) + " answered 200 without a usable token");
      }
      token = std::string(body);
    }
    if (token.empty()) {
      useToken = false;
      util::Log::warn("IMDSv2 session token not available, falling back to IMDSv1",
                      {{"endpoint", ep.authority}, {"err", tokenFailure}});
      deadline = Clock::now() + options.timeout;  // the PUT may have used it all up
    }
  }

  http::request<http::string_body> get{http::verb::get, kDocumentPath, 11};
  get.set(http::field::host, ep.authority);
  get.set(http::field::user_agent, "irsa-webhook");
  if (!token.empty()) get.set(kTokenHeader, token);
  // Failures of the IMDSv1 GET also say why there was no token.
  const std::string v1 = token.empty() ? "IMDSv2 token request failed (" + tokenFailure + "); IMDSv1 " : "";
  auto docReply = exchange(ioc, ep, get, deadline, options.timeout, options.maxBodyBytes);
  if (!docReply || docReply->status != 200) {
    util::Error failure = docReply ? statusFailure("GET", kDocumentPath, *docReply) : docReply.failure();
    failure.message.insert(0, v1);
    return failure;
  }
  return parseDocument(docReply->body);
}

// The SDKs compare the mode case-insensitively.
bool isIpv6Mode(std::string_view mode) {
  return mode.size() == 4 && std::equal(mode.begin(), mode.end(), "ipv6", [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

// The last attempt's error for the user, its code and status kept.
util::Error describe(const std::string& endpoint, const util::Error& last, int attempts) {
  const std::string tries = attempts > 1 ? " after " + std::to_string(attempts) + " attempts" : "";
  const char* what = last.code == util::ErrorCode::kUnreachable ? "instance metadata not reachable at "
                                                                : "instance metadata at ";
  util::Error error = last.within(what + endpoint + tries);
  error.message += kNeedsImds;
  return error;
}

}  // namespace

InstanceMetadataOptions InstanceMetadataOptions::fromEnvironment() {
  InstanceMetadataOptions options;
  // Called once from the CLI before any thread starts, so getenv is safe.
  const char* endpoint = std::getenv(kEndpointVariable);  // NOLINT(concurrency-mt-unsafe)
  const char* mode = std::getenv(kEndpointModeVariable);  // NOLINT(concurrency-mt-unsafe)
  if (endpoint != nullptr && *endpoint != '\0') {
    options.endpoint = endpoint;
  } else if (mode != nullptr && isIpv6Mode(mode)) {
    options.endpoint = kDefaultIpv6Endpoint;
  }
  return options;
}

util::Result<InstanceIdentity> InstanceMetadata::fetch(const InstanceMetadataOptions& options) {
  std::string endpoint = options.endpoint;
  while (endpoint.ends_with('/'))
    endpoint.pop_back();
  try {
    auto ep = parseEndpoint(options.endpoint);
    if (!ep) {
      util::Error error =
          ep.failure().within("invalid instance metadata endpoint \"" + options.endpoint + "\"");
      error.message += kNeedsImds;
      return error;
    }

    const int attempts = std::max(1, options.attempts);
    auto backoff = options.backoff;
    bool useToken = true;
    std::string tokenFailure;
    for (int attempt = 1;; ++attempt) {
      auto identity = attemptOnce(*ep, options, useToken, tokenFailure);
      if (identity) return identity;
      const util::Error& failure = identity.failure();
      if (!worthRetrying(failure) || attempt >= attempts) return describe(endpoint, failure, attempt);
      util::Log::warn(
          "Instance metadata request failed, retrying",
          {{"endpoint", endpoint}, {"attempt", attempt}, {"backoff", backoff}, {"err", failure.message}});
      // Startup only, before anything serves: a plain sleep blocks nobody.
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
  } catch (const std::exception& e) {  // e.g. bad_alloc; never let it reach main
    return util::fail("instance metadata at " + endpoint + ": " + e.what() + kNeedsImds);
  }
}

util::Result<webhook::RoleArnComposition> composeFromInstanceMetadata(
    const InstanceMetadataOptions& options) {
  auto identity = InstanceMetadata::fetch(options);
  if (!identity) return identity.failure();
  return webhook::RoleArnComposition{.partition = webhook::partitionForRegion(identity->region),
                                     .account = std::move(identity->account),
                                     .region = std::move(identity->region)};
}

}  // namespace irsa::aws
