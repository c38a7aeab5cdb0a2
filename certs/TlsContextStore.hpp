#pragma once
// Hot-reloadable TLS context. Each accept takes current() once and keeps that
// shared_ptr for the connection's lifetime, so a reload affects only new
// handshakes and never tears down a live connection.

#include <atomic>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "certs/TlsContextFactory.hpp"
#include "util/Result.hpp"

namespace irsa::certs {

class TlsContextStore {
 public:
  // The context and its expiry change together, so readers never see a mix.
  struct Snapshot {
    std::shared_ptr<boost::asio::ssl::context> context;
    std::chrono::system_clock::time_point notAfter;
  };

  // Loads and validates both files; fails if the initial context can't be built.
  static util::Result<std::unique_ptr<TlsContextStore>> create(std::string certPath, std::string keyPath,
                                                               TlsOptions options);

  // Only create() can make a Token: construction that can fail goes through it.
  class Token {
    friend class TlsContextStore;
    Token() = default;
  };
  TlsContextStore(Token, std::string certPath, std::string keyPath, TlsOptions options,
                  std::shared_ptr<const Snapshot> initial);
  TlsContextStore(const TlsContextStore&) = delete;
  TlsContextStore& operator=(const TlsContextStore&) = delete;

  // One atomic load, safe from any thread; never waits for reload() (libstdc++
  // guards the load with a tiny internal spin bit, not a mutex).
  std::shared_ptr<boost::asio::ssl::context> current() const;
  // notAfter of the certificate in current() (for the expiry metric).
  std::chrono::system_clock::time_point notAfter() const;

  // Re-reads both files (and the client CA file) and swaps in a new context.
  // On any failure the old context stays, `tls_reload_failed` is logged and
  // false is returned. It reads small local files synchronously; callers on
  // an I/O thread accept that cost (it runs once per certificate rotation).
  bool reload();

  const std::string& certPath() const { return certPath_; }
  const std::string& keyPath() const { return keyPath_; }

 private:
  static util::Result<std::shared_ptr<const Snapshot>> build(const std::string& certPath,
                                                             const std::string& keyPath,
                                                             const TlsOptions& options);

  const std::string certPath_;
  const std::string keyPath_;
  const TlsOptions options_;
  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;  // never null
  // Serialises reload() so two concurrent reloads can't publish out of order;
  // guards no data (snapshot_ is atomic) and current() never takes it.
  std::mutex reloadMutex_;
};

}  // namespace irsa::certs
