#pragma once
// `serve` wiring: the io_context and its threads, the TLS and metrics
// listeners, the identity sources and their file watchers, and the SIGTERM
// shutdown: keep serving for --shutdown-delay with every answer closing its
// connection, then stop accepting, finish in-flight requests, and exit
// within --shutdown-timeout of the signal.

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <vector>

#include "certs/DirectoryWatcher.hpp"
#include "certs/TlsContextStore.hpp"
#include "kube/ServiceAccountLookup.hpp"
#include "server/AdmissionHandler.hpp"
#include "server/ConnectionTracker.hpp"
#include "server/DebugHandler.hpp"
#include "server/IdentityConfig.hpp"
#include "server/IdentityFeeds.hpp"
#include "server/Listener.hpp"
#include "server/Metrics.hpp"
#include "server/Router.hpp"
#include "server/ServerConfig.hpp"
#include "util/Result.hpp"

namespace irsa::server {

struct SessionEnv;

class Server {
 public:
  // Loads certificates and identity sources and binds both ports; every
  // failure is a one-line error.
  static util::Result<std::unique_ptr<Server>> create(ServerConfig config);
  ~Server();

  // Serves until SIGTERM/SIGINT or requestShutdown(), then shuts down.
  // Returns the process exit code.
  int run();

  // Starts the shutdown from any thread, like SIGTERM.
  void requestShutdown();

  unsigned short port() const { return tlsListener_->port(); }
  unsigned short metricsPort() const { return metricsListener_->port(); }

 private:
  explicit Server(ServerConfig config);
  util::Status init();
  util::Status initWatchers();
  void initRoutes();
  util::Status initMetrics();
  // Counts a refusal or an eviction at --max-connections; false: refused.
  bool countAdmission(const ConnectionTracker::Admission& admission);
  void awaitSignal();
  void beginShutdown();
  void stopServing();
  void pollDrain();
  bool ready() const;

  // Declared before ioc_ so they outlive it: destroying the io_context
  // destroys pending handlers, whose sessions still use these.
  const ServerConfig config_;
  Metrics metrics_;
  ConnectionTracker tracker_;
  IdentityConfig identityConfig_;
  std::unique_ptr<certs::TlsContextStore> tls_;
  std::unique_ptr<AdmissionHandler> admission_;
  std::unique_ptr<DebugHandler> debug_;
  Router tlsRouter_;
  Router metricsRouter_;
  std::unique_ptr<SessionEnv> tlsEnv_;
  std::unique_ptr<SessionEnv> metricsEnv_;

  boost::asio::io_context ioc_;
  // The shutdown's steps, signals and timers run on this strand, one at a time.
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer delayTimer_;
  boost::asio::steady_timer drainTimer_;
  std::chrono::steady_clock::time_point drainDeadline_;
  std::chrono::steady_clock::time_point secondDrainAt_;  // on control_
  bool secondDrainDone_{false};                          // on control_
  std::unique_ptr<IdentityFeeds> feeds_;                 // after ioc_: holds its timers and sockets
  std::shared_ptr<Listener> tlsListener_;
  std::shared_ptr<Listener> metricsListener_;
  std::vector<std::unique_ptr<certs::DirectoryWatcher>> watchers_;
  std::atomic<bool> draining_{false};  // since the signal: /readyz says 503
  bool stopped_{false};                // since the delay's end: not accepting (on control_)
};

}  // namespace irsa::server
