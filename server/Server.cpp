#include "server/Server.hpp"

#include <boost/asio/post.hpp>
#include <csignal>
#include <thread>

#include "server/HttpSession.hpp"
#include "server/IoThreads.hpp"
#include "server/ReadyFile.hpp"
#include "util/Files.hpp"
#include "util/Log.hpp"

#ifndef IRSA_VERSION
#define IRSA_VERSION "dev"
#endif

namespace irsa::server {

namespace {

// Go's net.JoinHostPort: an empty host is Go's ":port", IPv6 goes in brackets.
std::string hostPort(const std::string& host, unsigned short port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}
constexpr auto kDrainPollInterval = std::chrono::milliseconds(20);
}  // namespace

Server::Server(ServerConfig config)
    : config_(std::move(config)),
      control_(boost::asio::make_strand(ioc_)),
      signals_(control_, SIGTERM, SIGINT),
      delayTimer_(control_),
      drainTimer_(control_) {}

Server::~Server() {
  for (auto& w : watchers_)
    w->stop();
}

util::Result<std::unique_ptr<Server>> Server::create(ServerConfig config) {
  std::unique_ptr<Server> server(new Server(std::move(config)));
  if (auto status = server->init(); !status) return status.failure();
  return server;
}

util::Status Server::init() {
  certs::TlsOptions tlsOptions;
  tlsOptions.minVersion = config_.tlsMinVersion;
  tlsOptions.cipherSuites = config_.tlsCipherSuites;
  tlsOptions.clientCaFile = config_.clientCaFile;
  auto tls = certs::TlsContextStore::create(config_.tlsCert, config_.tlsKey, tlsOptions);
  if (!tls) return tls.failure();
  tls_ = std::move(*tls);

  auto feeds = IdentityFeeds::create(config_, ioc_, identityConfig_);
  if (!feeds) return feeds.failure();
  feeds_ = std::move(*feeds);
  admission_ =
      std::make_unique<AdmissionHandler>(config_, feeds_->serviceAccounts(), identityConfig_, metrics_);
  if (config_.enableDebuggingHandlers) {
    debug_ = std::make_unique<DebugHandler>(config_.mutation, feeds_->serviceAccounts());
  }
  initRoutes();
  if (auto status = initMetrics(); !status) return status;

  tlsEnv_.reset(new SessionEnv{tlsRouter_, config_.limits, metrics_, tracker_, ListenerKind::kWebhook});
  metricsEnv_.reset(
      new SessionEnv{metricsRouter_, config_.limits, metrics_, tracker_, ListenerKind::kMetrics});

  auto tlsListener = Listener::create(
      ioc_, config_.bindAddress, config_.port,
      [this](tcp::socket&& socket) {
        auto session = std::make_shared<HttpSession<TlsStream>>(std::move(socket), tls_->current(), *tlsEnv_);
        if (!countAdmission(session->admit())) return;  // the socket closes with the session
        session->start();
      },
      "webhook");
  if (!tlsListener) return tlsListener.failure();
  tlsListener_ = *tlsListener;

  auto metricsListener = Listener::create(
      ioc_, config_.bindAddress, config_.metricsPort,
      [this](tcp::socket&& socket) {
        auto session = std::make_shared<HttpSession<PlainStream>>(std::move(socket), nullptr, *metricsEnv_);
        if (!countAdmission(session->admit())) return;
        session->start();
      },
      "metrics", "--metrics-port");
  if (!metricsListener) return metricsListener.failure();
  metricsListener_ = *metricsListener;
  if (auto status = initWatchers(); !status) return status;
  // Last: a supervisor that sees the file may connect at once (both sockets
  // listen, so connections queue until run() accepts), and no later start
  // step can fail after it.
  if (!config_.readyFile.empty()) {
    return writeReadyFile(config_.readyFile, tlsListener_->port(), metricsListener_->port());
  }
  return util::okStatus();
}

util::Status Server::initWatchers() {
  auto ex = ioc_.get_executor();
  auto add = [&](std::vector<std::string> files, std::function<void()> onChange) -> util::Status {
    auto watcher = certs::DirectoryWatcher::create(ex, std::move(files), std::move(onChange));
    if (!watcher) return watcher.failure();
    watchers_.push_back(std::move(*watcher));
    return util::okStatus();
  };
  std::vector<std::string> tlsFiles{config_.tlsCert, config_.tlsKey};
  if (!config_.clientCaFile.empty()) tlsFiles.push_back(config_.clientCaFile);
  if (auto s = add(std::move(tlsFiles), [this] { tls_->reload(); }); !s) return s;
  if (auto s = feeds_->watchFiles(ex, watchers_); !s) return s;
  return util::okStatus();
}

bool Server::ready() const {
  return !draining_.load() && feeds_->ready();
}

void Server::initRoutes() {
  // `reference`: the requests the reference counts in http_request_*.
  auto add = [this](ListenerKind listener, http::verb method, const std::string& path, bool reference,
                    Router::Handler handler) {
    (listener == ListenerKind::kWebhook ? tlsRouter_ : metricsRouter_).add(method, path, std::move(handler));
    metrics_.addRoute(listener, path, reference);
  };
  add(ListenerKind::kWebhook, http::verb::post, "/mutate", true,
      [this](Request&& req, Responder respond) { admission_->handle(std::move(req), std::move(respond)); });
  auto health = [](Request&&, const Responder& respond) {
    respond(makeResponse(http::status::ok, "text/plain; charset=utf-8", "ok\n"));
  };
  auto readiness = [this](Request&&, const Responder& respond) {
    if (ready()) {
      respond(makeResponse(http::status::ok, "text/plain; charset=utf-8", "ok\n"));
    } else {
      respond(makeResponse(http::status::service_unavailable, "text/plain; charset=utf-8",
                           draining_.load() ? "shutting down\n" : "not ready: ServiceAccounts not synced\n"));
    }
  };
  for (ListenerKind listener : {ListenerKind::kWebhook, ListenerKind::kMetrics}) {
    add(listener, http::verb::get, "/healthz", false, health);
    add(listener, http::verb::get, "/readyz", false, readiness);
  }
  add(ListenerKind::kMetrics, http::verb::get, "/metrics", false,
      [this](Request&&, const Responder& respond) {
        respond(
            makeResponse(http::status::ok, "text/plain; version=0.0.4; charset=utf-8", metrics_.render()));
      });
  if (debug_) {
    // The reference's debugging handlers answer any method.
    for (http::verb method :
         {http::verb::get, http::verb::post, http::verb::put, http::verb::patch, http::verb::delete_}) {
      add(ListenerKind::kMetrics, method, "/debug/alpha/cache", false,
          [this](Request&& req, const Responder& respond) { debug_->cache(std::move(req), respond); });
      add(ListenerKind::kMetrics, method, "/debug/alpha/cache/clear", false,
          [this](Request&& req, const Responder& respond) { debug_->clear(std::move(req), respond); });
      add(ListenerKind::kWebhook, method, "/debug/alpha/deny", true, &DebugHandler::deny);
      add(ListenerKind::kWebhook, method, "/debug/alpha/500", true, &DebugHandler::internalError);
    }
  }
}

util::Status Server::initMetrics() {
  // The reference sets pod_identity_webhook_used when its cache takes in any
  // ServiceAccount, annotated or not.
  metrics_.usedWhen([this] { return feeds_->serviceAccounts().size() > 0; });
  std::vector<util::Status> added;
  added.push_back(metrics_.addGauge(
      "irsa_webhook_build_info", "Build information", [] { return 1.0; },
      std::string("version=\"") + IRSA_VERSION + "\""));
  added.push_back(metrics_.addGauge(
      "irsa_webhook_tls_certificate_expiry_timestamp_seconds",
      "notAfter of the serving certificate, in Unix seconds", [this] {
        return static_cast<double>(
            std::chrono::duration_cast<std::chrono::seconds>(tls_->notAfter().time_since_epoch()).count());
      }));
  added.push_back(metrics_.addGauge("irsa_webhook_connections_active", "Open connections on both ports",
                                    [this] { return static_cast<double>(tracker_.active()); }));
  feeds_->registerMetrics(metrics_);
  for (auto& status : added) {
    if (!status) return status;
  }
  return util::okStatus();
}

bool Server::countAdmission(const ConnectionTracker::Admission& admission) {
  if (admission.id == 0) {
    metrics_.connectionRejected();
    return false;
  }
  if (admission.evicted) metrics_.connectionEvicted();
  return true;
}

int Server::run() {
  awaitSignal();
  feeds_->start();
  tlsListener_->start();
  metricsListener_->start();
  const int threads = config_.threads > 0 ? config_.threads : defaultIoThreads();
  // The reference's two lines, then ours with the ports as numbers (for scripts).
  util::Log::info("Listening on " + hostPort(config_.bindAddress, tlsListener_->port()));
  util::Log::info("Listening on " + hostPort(config_.bindAddress, metricsListener_->port()) + " for metrics");
  util::Log::info("Webhook started", {{"port", tlsListener_->port()},
                                      {"metricsPort", metricsListener_->port()},
                                      {"threads", threads},
                                      {"version", IRSA_VERSION},
                                      {"address", tlsListener_->address()}});
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads - 1));
  for (int i = 1; i < threads; ++i)
    pool.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : pool)
    t.join();
  if (tracker_.active() == 0) {  // else the drain deadline cut connections (logged then)
    util::Log::info("Webhook server shutdown gracefully");
    util::Log::info("Metrics server shutdown gracefully");
  }
  return 0;
}

void Server::requestShutdown() {
  boost::asio::post(control_, [this] { beginShutdown(); });
}

// The first signal starts the shutdown; a second one during the delay ends
// the delay (an impatient Ctrl-C).
void Server::awaitSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    util::Log::info("Received signal", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
    if (draining_.load()) return stopServing();
    beginShutdown();
    if (!stopped_) awaitSignal();  // during the delay only (stopServing cancelled the set otherwise)
  });
}

void Server::beginShutdown() {
  if (draining_.exchange(true)) return;
  util::Log::info("Context cancelled, beginning graceful shutdown", {{"openConnections", tracker_.active()},
                                                                     {"delay", config_.shutdownDelay},
                                                                     {"timeout", config_.shutdownTimeout}});
  // First, before anything else can answer: from now on every answer closes
  // its connection, so the apiserver's pooled connections to this instance
  // end cleanly, one request each, while the endpoint removal spreads.
  tracker_.closeAfterEachResponse();
  drainDeadline_ = std::chrono::steady_clock::now() + config_.shutdownTimeout;
  if (config_.shutdownDelay.count() <= 0) return stopServing();
  delayTimer_.expires_after(config_.shutdownDelay);
  delayTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) stopServing();
  });
}

void Server::stopServing() {
  if (stopped_) return;
  stopped_ = true;
  // Connections that are still idle now are closed: no request was sent on
  // them for the whole delay, so the client is not about to.
  tracker_.drainAll();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  delayTimer_.cancel();
  tlsListener_->stop();
  metricsListener_->stop();
  for (auto& w : watchers_)
    w->stop();
  feeds_->stop();
  secondDrainAt_ = std::chrono::steady_clock::now() + kDrainFirstRequestWindow;
  pollDrain();
}

void Server::pollDrain() {
  if (tracker_.active() == 0) {
    ioc_.stop();
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!secondDrainDone_ && now >= secondDrainAt_) {
    secondDrainDone_ = true;
    tracker_.drainAll();  // fresh connections that sent nothing in their window
  }
  if (now >= drainDeadline_) {
    util::Log::error("Webhook server shutdown error: context deadline exceeded",
                     {{"openConnections", tracker_.active()}});
    ioc_.stop();
    return;
  }
  drainTimer_.expires_after(kDrainPollInterval);
  drainTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) pollDrain();
  });
}

}  // namespace irsa::server
