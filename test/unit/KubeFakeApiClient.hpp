#pragma once
// A scripted kube::ApiClient for the Kube* tests. Every get() and watch() is
// recorded; the test answers a pending GET (status + body, or a transport
// error) and drives an open watch stream (push lines, close OK or with an
// error). Callbacks are never run inside get()/watch()/push(): they are
// posted to the test's io_context, like a real client running them on an
// I/O thread, so a test decides exactly when they run by pumping that
// io_context. Single-threaded: only the thread running the io_context may
// use it. Below it: the first list a started reflector waits for. The JSON an
// API server sends is written by KubeApiJson.hpp, and the io_context is pumped
// with test/support/IoPump.hpp; both come with this header.

#include <gtest/gtest.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "KubeApiJson.hpp"
#include "kube/ApiClient.hpp"
#include "test/support/IoPump.hpp"

namespace irsa::kube::testing {

using testsupport::drain;
using testsupport::runFor;
using testsupport::runUntil;

class FakeApiClient final : public ApiClient {
 public:
  struct Get {
    std::string target;
    std::chrono::milliseconds timeout{0};
    RateLimit limit{RateLimit::kWait};
    ResponseCallback done;
    bool answered{false};
  };

  class FakeStream final : public Stream {
   public:
    FakeStream(boost::asio::any_io_executor executor, std::string target,
               std::chrono::milliseconds idleTimeout, LineCallback onLine, CloseCallback onClose)
        : target(std::move(target)),
          idleTimeout(idleTimeout),
          executor_(std::move(executor)),
          onLine_(std::move(onLine)),
          onClose_(std::move(onClose)) {}

    // Like the real client: the stream ends and onClose gets an error.
    void cancel() override {
      cancelled = true;
      finish(util::fail("watch cancelled"));
    }

    // Delivers one watch event line (a copy: the real client's buffer is
    // reused). False when the stream has already ended.
    bool push(std::string line) {
      if (closed_) return false;
      boost::asio::post(executor_, [cb = onLine_, line = std::move(line)] { cb(line); });
      return true;
    }
    bool closeOk() { return finish(util::okStatus()); }
    bool closeWithError(std::string message) { return finish(util::fail(std::move(message))); }
    bool closeWithFailure(util::Error error) { return finish(std::move(error)); }
    bool open() const { return !closed_; }

    const std::string target;
    const std::chrono::milliseconds idleTimeout;
    bool cancelled{false};

   private:
    bool finish(util::Status status) {
      if (closed_) return false;  // onClose is called once, whoever ends it
      closed_ = true;
      boost::asio::post(executor_,
                        [cb = onClose_, status = std::move(status)]() mutable { cb(std::move(status)); });
      return true;
    }

    boost::asio::any_io_executor executor_;
    LineCallback onLine_;
    CloseCallback onClose_;
    bool closed_{false};
  };

  explicit FakeApiClient(boost::asio::io_context& io) : executor_(io.get_executor()) {}

  // When set, a kSkipIfLimited GET fails at once with kRateLimitedError (it
  // is still recorded); kWait GETs are unaffected.
  void setRateLimited(bool limited) { rateLimited_ = limited; }

  void get(std::string target, std::chrono::milliseconds timeout, RateLimit limit,
           ResponseCallback done) override {
    gets_.push_back(Get{std::move(target), timeout, limit, std::move(done), false});
    if (rateLimited_ && limit == RateLimit::kSkipIfLimited) {
      fail(gets_.size() - 1, std::string(kRateLimitedError));
    }
  }

  std::shared_ptr<Stream> watch(std::string target, std::chrono::milliseconds idleTimeout,
                                LineCallback onLine, CloseCallback onClose) override {
    auto stream = std::make_shared<FakeStream>(executor_, std::move(target), idleTimeout, std::move(onLine),
                                               std::move(onClose));
    streams_.push_back(stream);
    return stream;
  }

  // --- What was asked -------------------------------------------------------
  std::size_t getCount() const { return gets_.size(); }
  const Get& request(std::size_t index) const { return gets_.at(index); }
  std::vector<std::string> getTargets() const {
    std::vector<std::string> out;
    for (const auto& g : gets_)
      out.push_back(g.target);
    return out;
  }
  std::size_t pendingGets() const {
    std::size_t n = 0;
    for (const auto& g : gets_)
      n += g.answered ? 0 : 1;
    return n;
  }
  std::size_t watchCount() const { return streams_.size(); }
  FakeStream& stream(std::size_t index) { return *streams_.at(index); }
  FakeStream& lastStream() { return *streams_.back(); }
  std::size_t openStreams() const {
    std::size_t n = 0;
    for (const auto& s : streams_)
      n += s->open() ? 1 : 0;
    return n;
  }

  // --- Answers (false when that GET does not exist or was answered) --------
  bool respond(std::size_t index, int status, std::string body) {
    return finish(index, ApiResponse{status, std::move(body)});
  }
  bool fail(std::size_t index, std::string error) { return finish(index, util::fail(std::move(error))); }
  // Fails every unanswered GET: a test's teardown, so no callback (and what it
  // holds) outlives the io_context that would run it.
  void failPending() {
    while (failNext("test over")) {
    }
  }
  // The oldest unanswered GET.
  bool respondNext(int status, std::string body) { return respond(nextPending(), status, std::move(body)); }
  bool failNext(std::string error) { return fail(nextPending(), std::move(error)); }

 private:
  std::size_t nextPending() const {
    for (std::size_t i = 0; i < gets_.size(); ++i) {
      if (!gets_[i].answered) return i;
    }
    return gets_.size();
  }

  bool finish(std::size_t index, util::Result<ApiResponse> result) {
    if (index >= gets_.size() || gets_[index].answered) return false;
    gets_[index].answered = true;
    boost::asio::post(executor_, [cb = std::move(gets_[index].done), result = std::move(result)]() mutable {
      cb(std::move(result));
    });
    return true;
  }

  boost::asio::any_io_executor executor_;
  bool rateLimited_{false};
  std::deque<Get> gets_;  // deque: references stay valid as GETs are added
  std::vector<std::shared_ptr<FakeStream>> streams_;
};

// Answers the first GET, a started reflector's initial list, with one page of
// `items` at `resourceVersion`, then pumps `io` until the watch is open.
inline ::testing::AssertionResult answerInitialList(boost::asio::io_context& io, FakeApiClient& api,
                                                    const std::vector<std::string>& items,
                                                    const std::string& resourceVersion) {
  if (!runUntil(io, [&] { return api.getCount() == 1; })) {
    return ::testing::AssertionFailure() << "no list request";
  }
  if (!api.respondNext(200, listJson(items, resourceVersion))) {
    return ::testing::AssertionFailure() << "the list request was already answered";
  }
  if (!runUntil(io, [&] { return api.watchCount() == 1; })) {
    return ::testing::AssertionFailure() << "no watch after the list";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace irsa::kube::testing
