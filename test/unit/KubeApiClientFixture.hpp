#pragma once
// Shared by the KubeApiClient and WatchStream tests: a client whose
// io_context runs on two threads (so strand mistakes show up), a scripted
// FakeApiServer, and waiters that are always bounded by a deadline.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kube/KubeApiClient.hpp"
#include "test/support/FakeApiServer.hpp"

namespace irsa::kube::kubetest {

using namespace std::chrono_literals;
using testsupport::FakeApiServer;
using testsupport::FakeRequest;
using testsupport::FakeScript;
using Clock = std::chrono::steady_clock;

inline constexpr auto kWaitLimit = 10s;  // generous: only a bug gets near it

// A value set once from an io thread and awaited with a deadline.
template <typename T>
class Waiter {
 public:
  void set(T value) {
    std::lock_guard lock(mutex_);
    ++count_;
    if (!value_) value_.emplace(std::move(value));
    cv_.notify_all();
  }
  std::optional<T> wait(std::chrono::milliseconds limit = kWaitLimit) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, limit, [this] { return value_.has_value(); });
    return value_;
  }
  int count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<T> value_;
  int count_ = 0;
};

inline FakeScript respond(int status, std::string body) {
  return {testsupport::writeRaw(testsupport::httpResponse(status, body))};
}

// Collects a watch's lines and its single close.
struct WatchLog {
  std::mutex mutex;
  std::vector<std::string> lines;  // guarded by mutex
  Waiter<util::Status> closed;
  Waiter<bool> firstLine;

  ApiClient::LineCallback onLine() {
    return [this](std::string_view line) {
      {
        std::lock_guard lock(mutex);
        lines.emplace_back(line);
      }
      firstLine.set(true);
    };
  }
  ApiClient::CloseCallback onClose() {
    return [this](util::Status status) { closed.set(std::move(status)); };
  }
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return lines;
  }
};

class KubeApiClientFixture : public ::testing::Test {
 protected:
  KubeApiClientFixture() {
    for (int i = 0; i < 2; ++i)
      threads_.emplace_back([this] { ioc_.run(); });
  }
  ~KubeApiClientFixture() override {
    client_.reset();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_)
      t.join();
  }

  bool startServer(FakeApiServer::Handler handler, FakeApiServer::Options options = {}) {
    server_ = FakeApiServer::start(std::move(options), std::move(handler));
    return server_ != nullptr;
  }

  ClusterConfig configFor(const FakeApiServer& server) {
    ClusterConfig config;
    config.host = "127.0.0.1";
    config.port = std::to_string(server.port());
    config.caPem = server.caPem();
    return config;
  }

  KubeApiClient* makeClient(ClusterConfig config, KubeApiClientOptions options = {}) {
    auto client = KubeApiClient::create(ioc_, std::move(config), std::move(options));
    if (!client) {
      ADD_FAILURE() << client.error();
      return nullptr;
    }
    client_ = std::move(*client);
    return client_.get();
  }

  KubeApiClient* makeClient() { return makeClient(configFor(*server_)); }

  util::Result<ApiResponse> get(const std::string& target, std::chrono::milliseconds timeout = 5s,
                                RateLimit limit = RateLimit::kWait) {
    Waiter<util::Result<ApiResponse>> done;
    client_->get(target, timeout, limit, [&done](util::Result<ApiResponse> r) { done.set(std::move(r)); });
    auto result = done.wait();
    if (!result) return util::fail("test: no answer within the wait limit");
    return std::move(*result);
  }

  util::Result<ApiResponse> post(const std::string& target, std::string body,
                                 std::chrono::milliseconds timeout = 5s) {
    Waiter<util::Result<ApiResponse>> done;
    client_->post(target, std::move(body), timeout, RateLimit::kWait,
                  [&done](util::Result<ApiResponse> r) { done.set(std::move(r)); });
    auto result = done.wait();
    if (!result) return util::fail("test: no answer within the wait limit");
    return std::move(*result);
  }

  boost::asio::io_context ioc_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      ioc_.get_executor()};
  std::vector<std::thread> threads_;
  std::unique_ptr<FakeApiServer> server_;
  std::unique_ptr<KubeApiClient> client_;
};

}  // namespace irsa::kube::kubetest
