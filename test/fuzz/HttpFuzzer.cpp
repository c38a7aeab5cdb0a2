// libFuzzer target: raw bytes of a connection -> the answers, through what
// server/HttpSession does with them, without a socket: the session's parser
// and limits (server/RequestReading), the header then the body, the answer
// to a failed read, then the Router with the serving routes, /mutate on the
// real AdmissionHandler over FixedIdentities. Requests are read one after
// another while they keep the connection alive, as the session does.
//
// The first byte is the size of each read the stream returns (0: all at
// once), so requests split at every place a network may split them.
//
// Invariants, each an abort:
//   - every request read in full gets exactly one answer, before route()
//     returns (the lookup answers at once here), and no handler throws;
//   - a failed read is answered with 400, 413 or 431, or closes the
//     connection unanswered when the bytes end mid-request;
//   - every answer serializes to an HTTP message that parses back with the
//     same status and body (no header injection);
//   - a JSON answer is valid JSON: an error is a Status with its own code,
//     a 200 from /mutate an AdmissionReview.
#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "kube/ServiceAccountLookup.hpp"
#include "server/AdmissionHandler.hpp"
#include "server/DebugHandler.hpp"
#include "server/IdentityConfig.hpp"
#include "server/Metrics.hpp"
#include "server/RequestReading.hpp"
#include "server/Router.hpp"
#include "server/ServerConfig.hpp"
#include "test/fuzz/FixedIdentities.hpp"
#include "test/fuzz/FuzzCheck.hpp"
#include "webhook/Json.hpp"

namespace {

using namespace irsa;
using fuzz::check;
namespace http = boost::beast::http;
namespace net = boost::asio;

// A SyncReadStream over the input: `chunk` bytes a read (0: all), then eof.
class MemoryStream {
 public:
  MemoryStream(std::string_view data, std::size_t chunk) : data_(data), chunk_(chunk) {}

  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::system::error_code& ec) {
    if (data_.empty()) {
      ec = net::error::eof;
      return 0;
    }
    ec = {};
    const std::string_view next = data_.substr(0, chunk_ == 0 ? data_.size() : chunk_);
    const std::size_t n = net::buffer_copy(buffers, net::buffer(next.data(), next.size()));
    data_.remove_prefix(n);
    return n;
  }
  template <class MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::system::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    check(!ec, "read_some without an error_code is never used here");
    return n;
  }

 private:
  std::string_view data_;
  std::size_t chunk_;
};

// ServiceAccounts from FixedIdentities, answered at once.
class FixedLookup final : public kube::ServiceAccountLookup {
 public:
  explicit FixedLookup(const fuzz::FixedIdentities& fixed) : fixed_(fixed) {}
  Ptr find(std::string_view ns, std::string_view name) const override {
    const webhook::ServiceAccount* sa = fixed_.find(ns, name);
    return sa ? std::make_shared<const webhook::ServiceAccount>(*sa) : nullptr;
  }
  void lookup(std::string_view ns, std::string_view name, std::chrono::steady_clock::time_point,
              Callback done) override {
    done(find(ns, name));
  }
  bool ready() const override { return true; }
  std::size_t size() const override { return fixed_.serviceAccounts().size(); }
  void forEach(const std::function<void(const webhook::ServiceAccount&)>& visit) const override {
    for (const auto& sa : fixed_.serviceAccounts())
      visit(sa);
  }

 private:
  const fuzz::FixedIdentities& fixed_;
};

// What Server wires for a session of the webhook port, with small limits so
// that fuzzed inputs reach them.
struct Wiring {
  fuzz::FixedIdentities fixed;
  server::ServerConfig config;
  FixedLookup lookup{fixed};
  server::IdentityConfig identity;
  server::Metrics metrics;
  std::optional<server::AdmissionHandler> admission;
  std::optional<server::DebugHandler> debug;
  server::Router router;

  Wiring() {
    fuzz::quietLogs(4);
    config.mutation = fixed.settings();
    config.limits.maxHeaderBytes = 1024;
    config.limits.maxRequestBytes = 4096;
    identity.setConfigMap(std::make_shared<const webhook::ConfigMapIdentities>(fixed.configMap()));
    identity.setContainerCredentials(
        std::make_shared<const webhook::ContainerCredentialsConfig>(fixed.containerCredentials()));
    admission.emplace(config, lookup, identity, metrics);
    debug.emplace(config.mutation, lookup);
    addRoutes();
  }

  void addRoutes() {
    using server::Request;
    using server::Responder;
    auto add = [this](http::verb method, const std::string& path, server::Router::Handler handler) {
      router.add(method, path, std::move(handler));
      metrics.addRoute(server::ListenerKind::kWebhook, path, true);
    };
    add(http::verb::post, "/mutate",
        [this](Request&& req, Responder respond) { admission->handle(std::move(req), std::move(respond)); });
    auto ok = [](Request&&, const Responder& respond) {
      respond(server::makeResponse(http::status::ok, "text/plain; charset=utf-8", "ok\n"));
    };
    add(http::verb::get, "/healthz", ok);
    add(http::verb::get, "/readyz", ok);
    for (http::verb method :
         {http::verb::get, http::verb::post, http::verb::put, http::verb::patch, http::verb::delete_}) {
      add(method, "/debug/alpha/cache",
          [this](Request&& req, const Responder& respond) { debug->cache(std::move(req), respond); });
      add(method, "/debug/alpha/deny", &server::DebugHandler::deny);
      add(method, "/debug/alpha/500", &server::DebugHandler::internalError);
    }
  }
};

Wiring& wiring() {
  static Wiring w;
  return w;
}

// The answer as it goes on the wire parses back to the same status and body.
void checkWire(const server::Response& res) {
  std::ostringstream wire;
  wire << res;
  const std::string text = wire.str();
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(net::buffer(text), ec);
  check(!ec && parser.is_done(), "the answer parses back as HTTP", text);
  check(parser.get().result() == res.result() && parser.get().body() == res.body(),
        "the answer parses back to itself", text);
}

void checkAnswer(const server::Response& res, std::string_view path) {
  checkWire(res);
  if (res[http::field::content_type] != "application/json") return;
  rapidjson::Document doc;
  check(webhook::parseJson(doc, res.body(), 100).ok() && doc.IsObject(), "a JSON answer is JSON", res.body());
  if (res.result() != http::status::ok) {
    check(webhook::stringMember(doc, "kind") == "Status", "an error is a Status", res.body());
    const rapidjson::Value* code = webhook::member(doc, "code");
    check(code && code->IsInt() && code->GetInt() == static_cast<int>(res.result_int()),
          "a Status carries its HTTP code", res.body());
  } else if (path == "/mutate") {
    check(webhook::stringMember(doc, "kind") == "AdmissionReview", "/mutate answers a review", res.body());
  }
}

// One request read as HttpSession reads it; false when the connection ends.
bool serveOne(MemoryStream& stream, boost::beast::flat_buffer& buffer) {
  Wiring& w = wiring();
  std::optional<server::RequestParser> parser;
  server::startRequestParser(parser, w.config.limits);
  boost::system::error_code ec;
  http::read_header(stream, buffer, *parser, ec);
  // (An `Expect: 100-continue` gets its interim answer here; the body follows.)
  if (!ec) http::read(stream, buffer, *parser, ec);
  if (ec) {
    const auto res = server::readErrorResponse(ec, w.config.limits);
    check(res.has_value() || ec == http::error::end_of_stream || ec == http::error::partial_message,
          "a read fails with an answer, or at the end of the bytes", ec.message());
    if (res) checkAnswer(*res, "");
    return false;
  }
  server::Request req = parser->release();
  const bool keepAlive = req.keep_alive();
  const std::string path(server::targetPath(req.target()));
  const std::string_view label = w.router.pathLabel(req.target());
  check(label == "other" || label == path, "the path label is the route or other", label);
  const http::verb verb = req.method();
  int answers = 0;
  w.router.route(std::move(req), [&](server::Response res) {
    ++answers;
    checkAnswer(res, path);
    w.metrics.observeRequest(server::ListenerKind::kWebhook, verb, label, static_cast<int>(res.result_int()),
                             1.0);
  });
  check(answers == 1, "one answer a request", std::to_string(answers));
  return keepAlive;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  MemoryStream stream(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), data[0]);
  boost::beast::flat_buffer buffer;
  while (serveOne(stream, buffer)) {
  }
  return 0;
}
