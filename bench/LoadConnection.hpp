#pragma once
// One client connection of the load generator, one request in flight at a
// time: [connect -> TLS handshake ->] write the prepared bytes -> read the
// response -> report. It reconnects by itself when the server closed the
// connection or after an error; with keepAlive false it closes after every
// response (a full handshake per request). All of it runs on the owner's
// single-threaded io_context, so nothing here is locked.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "bench/AdmissionResponseCheck.hpp"
#include "bench/ClientTls.hpp"
#include "bench/RequestCorpus.hpp"
#include "bench/ResponseParser.hpp"
#include "bench/RunStats.hpp"

namespace irsa::bench {

// Where and how to connect; shared by all connections of a run.
struct ConnectTarget {
  const TargetUrl& url;
  const ClientTlsOptions& tls;
  boost::asio::ip::tcp::resolver::results_type endpoints;
};

class LoadConnection {
 public:
  using Clock = std::chrono::steady_clock;

  struct Job {
    const CorpusEntry* entry{nullptr};
    Clock::time_point origin;  // latency is measured from here (the scheduled time, open loop)
    bool measured{false};
  };
  struct Result {
    Outcome outcome{Outcome::kOk};
    bool mutated{false};
    Clock::time_point completedAt;
    std::optional<std::chrono::nanoseconds> handshake;  // when this job opened the connection
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onOpened(LoadConnection& connection, bool ok) = 0;
    virtual void onDone(LoadConnection& connection, const Job& job, const Result& result) = 0;
  };

  LoadConnection(boost::asio::io_context& ioc, boost::asio::ssl::context& tls, const ConnectTarget& target,
                 Listener& listener, bool keepAlive);
  LoadConnection(const LoadConnection&) = delete;
  LoadConnection& operator=(const LoadConnection&) = delete;

  // Connects and handshakes without a request (keep-alive runs open their
  // connections before the clock starts); then Listener::onOpened.
  void open(Clock::time_point deadline);
  // Sends `job` (connecting first if needed); then Listener::onDone.
  void send(const Job& job, Clock::time_point deadline);
  // The watchdog's check: past its deadline, the operation is aborted and
  // ends as a timeout.
  void expireIf(Clock::time_point now);
  void close();

  const std::string& lastError() const { return lastError_; }

 private:
  void connect();
  void onConnect(const boost::system::error_code& ec);
  void onHandshake(const boost::system::error_code& ec);
  void write();
  void onWrite(const boost::system::error_code& ec);
  void onRead(const boost::system::error_code& ec);
  void fail(Outcome outcome, const boost::system::error_code& ec);
  void finish(Outcome outcome, bool mutated);

  boost::asio::io_context& ioc_;
  boost::asio::ssl::context& tls_;
  const ConnectTarget& target_;
  Listener& listener_;
  const bool keepAlive_;

  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
  boost::beast::flat_buffer buffer_;
  std::string body_;  // the response body; keeps its capacity
  std::optional<ResponseParser> parser_;
  AdmissionResponseCheck check_;

  Job job_;
  Clock::time_point deadline_;
  Clock::time_point connectStart_;
  std::optional<std::chrono::nanoseconds> handshake_;
  bool open_{false};
  bool busy_{false};
  bool opening_{false};
  bool timedOut_{false};
  std::string lastError_;
};

}  // namespace irsa::bench
