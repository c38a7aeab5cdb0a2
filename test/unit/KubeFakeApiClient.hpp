#pragma once
// A scripted kube::ApiClient for the Kube* tests. Every get() and watch() is
// recorded; the test answers a pending GET (status + body, or a transport
// error) and drives an open watch stream (push lines, close OK or with an
// error). Callbacks are never run inside get()/watch()/push(): they are
// posted to the test's io_context, like a real client running them on an
// I/O thread, so a test decides exactly when they run by pumping that
// io_context. Single-threaded: only the thread running the io_context may
// use it. Below it: helpers that pump the io_context with a deadline,
// writers for the JSON an API server sends (objects, list pages, events), and
// the first list a started reflector waits for.

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kube/ApiClient.hpp"

namespace irsa::kube::testing {

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
    boost::asio::post(
        executor_, [cb = gets_[index].done, result = std::move(result)]() mutable { cb(std::move(result)); });
    return true;
  }

  boost::asio::any_io_executor executor_;
  bool rateLimited_{false};
  std::deque<Get> gets_;  // deque: references stay valid as GETs are added
  std::vector<std::shared_ptr<FakeStream>> streams_;
};

// Pumps `io` in small steps until `done()` holds or `limit` passes; false on
// timeout. The caller keeps a work guard so run_for() waits rather than spins.
template <typename Predicate>
bool runUntil(boost::asio::io_context& io, Predicate done,
              std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_for(std::chrono::milliseconds(2));
    if (io.stopped()) io.restart();
  }
  return true;
}

// Runs everything that is ready now (no timers that are not yet due).
inline void drain(boost::asio::io_context& io) {
  while (io.poll() > 0) {
  }
  if (io.stopped()) io.restart();
}

// Keeps pumping for `span`: to show that something does NOT happen.
inline void runFor(boost::asio::io_context& io, std::chrono::milliseconds span) {
  const auto until = std::chrono::steady_clock::now() + span;
  while (std::chrono::steady_clock::now() < until) {
    io.run_until(until);
    if (io.stopped()) io.restart();
  }
}

// --- Kubernetes JSON, built with a writer ----------------------------------
using Annotations = std::vector<std::pair<std::string, std::string>>;

// An object with only metadata (name, namespace if not empty, resourceVersion,
// annotations), which is all the kube/ code reads.
inline std::string objectJson(const std::string& ns, const std::string& name,
                              const std::string& resourceVersion, const Annotations& annotations = {}) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  w.Key("name");
  w.String(name);
  if (!ns.empty()) {
    w.Key("namespace");
    w.String(ns);
  }
  w.Key("resourceVersion");
  w.String(resourceVersion);
  if (!annotations.empty()) {
    w.Key("annotations");
    w.StartObject();
    for (const auto& [k, v] : annotations) {
      w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

// A list page: {"metadata":{resourceVersion, continue},"items":[...]}.
inline std::string listJson(const std::vector<std::string>& items, const std::string& resourceVersion,
                            const std::string& continueToken = "") {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("List");
  w.Key("metadata");
  w.StartObject();
  w.Key("resourceVersion");
  w.String(resourceVersion);
  if (!continueToken.empty()) {
    w.Key("continue");
    w.String(continueToken);
  }
  w.EndObject();
  w.Key("items");
  w.StartArray();
  for (const auto& item : items)
    w.RawValue(item.data(), item.size(), rapidjson::kObjectType);
  w.EndArray();
  w.EndObject();
  return buffer.GetString();
}

inline std::string eventJson(const std::string& type, const std::string& object) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("type");
  w.String(type);
  w.Key("object");
  w.RawValue(object.data(), object.size(), rapidjson::kObjectType);
  w.EndObject();
  return buffer.GetString();
}

// A metav1.Status, as in an ERROR watch event or a failed request's body.
inline std::string statusJson(int code, const std::string& reason, const std::string& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("Status");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("status");
  w.String("Failure");
  w.Key("message");
  w.String(message);
  w.Key("reason");
  w.String(reason);
  w.Key("code");
  w.Int(code);
  w.EndObject();
  return buffer.GetString();
}

// A bookmark carries only metadata.resourceVersion, as the API server sends it.
inline std::string bookmarkJson(const std::string& resourceVersion) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("ServiceAccount");
  w.Key("metadata");
  w.StartObject();
  w.Key("resourceVersion");
  w.String(resourceVersion);
  w.EndObject();
  w.EndObject();
  const std::string object = buffer.GetString();
  return eventJson("BOOKMARK", object);
}

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
