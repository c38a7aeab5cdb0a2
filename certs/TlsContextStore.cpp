#include "certs/TlsContextStore.hpp"

#include "certs/KeyPair.hpp"
#include "certs/Pem.hpp"
#include "util/Log.hpp"

namespace irsa::certs {

util::Result<std::unique_ptr<TlsContextStore>> TlsContextStore::create(std::string certPath,
                                                                       std::string keyPath,
                                                                       TlsOptions options) {
  // The same build() that reload() uses, so start-up and reload validate alike.
  auto initial = build(certPath, keyPath, options);
  if (!initial) return initial.failure();
  return std::make_unique<TlsContextStore>(Token{}, std::move(certPath), std::move(keyPath),
                                           std::move(options), std::move(initial).value());
}

TlsContextStore::TlsContextStore(Token, std::string certPath, std::string keyPath, TlsOptions options,
                                 std::shared_ptr<const Snapshot> initial)
    : certPath_(std::move(certPath)),
      keyPath_(std::move(keyPath)),
      options_(std::move(options)),
      snapshot_(std::move(initial)) {}

util::Result<std::shared_ptr<const TlsContextStore::Snapshot>> TlsContextStore::build(
    const std::string& certPath, const std::string& keyPath, const TlsOptions& options) {
  auto keyPair = KeyPair::loadFiles(certPath, keyPath);
  if (!keyPair) return keyPair.failure();
  // Served anyway, as the reference does, but made loud: clients will refuse it.
  if (keyPair->notAfter() <= std::chrono::system_clock::now()) {
    util::Log::warn("Serving certificate has expired",
                    {{"cert", certPath}, {"notAfter", formatTime(keyPair->notAfter())}});
  }
  auto context = makeServerContext(*keyPair, options);
  if (!context) return context.failure();
  return std::make_shared<const Snapshot>(Snapshot{std::move(context).value(), keyPair->notAfter()});
}

std::shared_ptr<boost::asio::ssl::context> TlsContextStore::current() const {
  return snapshot_.load(std::memory_order_acquire)->context;
}

std::chrono::system_clock::time_point TlsContextStore::notAfter() const {
  return snapshot_.load(std::memory_order_acquire)->notAfter;
}

bool TlsContextStore::reload() {
  std::lock_guard<std::mutex> lock(reloadMutex_);
  auto next = build(certPath_, keyPath_, options_);
  if (!next) {
    util::Log::warn("Serving certificate not reloaded, keeping the last good one",
                    {{"err", next.error()}, {"cert", certPath_}});
    return false;
  }
  const auto notAfter = (*next)->notAfter;
  snapshot_.store(std::move(next).value(), std::memory_order_release);
  util::Log::info("Serving certificate reloaded", {{"cert", certPath_}, {"notAfter", formatTime(notAfter)}});
  return true;
}

}  // namespace irsa::certs
