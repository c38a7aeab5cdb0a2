#pragma once
// One KubeApiClient::watch(): a streaming GET on a dedicated connection.
// The chunked body is read as it arrives into a fixed buffer (buffer_body),
// split on '\n', and each complete line goes to onLine. Every step after the
// connect re-arms the idle timeout, so a stream ends when the server sends
// nothing (not even a bookmark) for that long. onClose runs exactly once.
// Everything runs on the connection's strand; cancel() posts onto it.

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "kube/ApiClient.hpp"
#include "kube/KubeClientState.hpp"

namespace irsa::kube {

class WatchStream : public ApiClient::Stream, public std::enable_shared_from_this<WatchStream> {
 public:
  static std::shared_ptr<WatchStream> start(std::shared_ptr<KubeClientState> state, std::string target,
                                            std::chrono::milliseconds idleTimeout,
                                            ApiClient::LineCallback onLine, ApiClient::CloseCallback onClose);

  // Thread-safe; a no-op once the stream has ended.
  void cancel() override;

  struct Token {};
  WatchStream(Token, std::shared_ptr<KubeClientState> state, std::string target,
              std::chrono::milliseconds idleTimeout, ApiClient::LineCallback onLine,
              ApiClient::CloseCallback onClose);

 private:
  static constexpr std::size_t kReadChunk = 16 * 1024;

  void begin();
  void acquireCredential();
  void onCredential(util::Result<Credential> credential);
  void connect();
  void onConnected(const util::Status& status);
  void onWritten(const boost::system::error_code& ec);
  void onHeader(const boost::system::error_code& ec);
  void readBody();
  void onBody(const boost::system::error_code& ec);
  // Splits `n` body bytes into lines; false (after finish) when one is too long.
  bool deliver(const char* data, std::size_t n);
  bool emitLine(std::string_view line);
  void finish(util::Status status);
  util::Error error(const std::string& reason) const;
  util::Error error(const util::Error& cause) const;  // the cause, its code kept
  // The server refused the watch with status_ (and this body): kHttpStatus.
  util::Error httpError(const std::string& body) const;
  std::string readError(const boost::system::error_code& ec) const;

  std::shared_ptr<KubeClientState> state_;
  const std::string target_;
  const std::chrono::milliseconds idleTimeout_;
  ApiClient::LineCallback onLine_;
  ApiClient::CloseCallback onClose_;  // empty once called
  std::shared_ptr<KubeConnection> conn_;
  boost::asio::steady_timer rateTimer_;  // on conn_'s strand
  std::uint64_t registryId_{0};
  Credential credential_;
  KubeRequest request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::buffer_body>> parser_;
  std::array<char, kReadChunk> chunk_{};
  std::string partial_;    // an incomplete line carried to the next chunk
  std::string errorBody_;  // the (bounded) body of a non-200 answer
  int status_{0};
  bool cancelled_{false};
};

}  // namespace irsa::kube
