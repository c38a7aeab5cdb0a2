#include "kube/Reflector.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "util/Log.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {

namespace net = boost::asio;
using webhook::member;
using webhook::objectMember;
using webhook::stringMember;

namespace {
// After this many failed watches in a row, list again rather than resume.
constexpr int kRelistAfterFailures = 5;
// A watch that ends this fast without a single event is treated as a failure
// (client-go does the same), so a misbehaving proxy cannot make us spin.
constexpr auto kShortWatch = std::chrono::seconds(1);

// The HTTP code of a Status object (a failed list, or an ERROR watch event).
int statusCode(const rapidjson::Value& status) {
  const rapidjson::Value* code = member(status, "code");
  return code && code->IsInt() ? code->GetInt() : 0;
}
}  // namespace

std::shared_ptr<Reflector> Reflector::create(const net::any_io_executor& executor, ApiClient& client,
                                             std::string collectionPath, std::string selector,
                                             ReflectorHandler& handler, ReflectorOptions options,
                                             std::string name) {
  return std::shared_ptr<Reflector>(new Reflector(executor, client, std::move(collectionPath),
                                                  std::move(selector), handler, options, std::move(name)));
}

Reflector::Reflector(const net::any_io_executor& executor, ApiClient& client, std::string collectionPath,
                     std::string selector, ReflectorHandler& handler, ReflectorOptions options,
                     std::string name)
    : strand_(net::make_strand(executor)),
      client_(client),
      collectionPath_(std::move(collectionPath)),
      selector_(std::move(selector)),
      handler_(handler),
      options_(options),
      name_(std::move(name)),
      retryTimer_(strand_) {}

void Reflector::start() {
  net::dispatch(strand_, [self = shared_from_this()] { self->list(""); });
}

void Reflector::stop() {
  net::dispatch(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->retryTimer_.cancel();
    if (self->stream_) self->stream_->cancel();
    self->stream_.reset();
  });
}

void Reflector::relist() {
  net::dispatch(strand_, [self = shared_from_this()] {
    if (self->stopped_ || self->listing_) return;
    ++self->retryGeneration_;
    self->retryTimer_.cancel();
    ++self->streamGeneration_;  // the dropped watch's callbacks are ignored
    if (self->stream_) self->stream_->cancel();
    self->stream_.reset();
    self->relistNeeded_ = false;
    self->list("");
  });
}

std::string Reflector::query(std::initializer_list<std::string> parts) const {
  std::string q;
  auto append = [&](const std::string& p) {
    if (p.empty()) return;
    q += q.empty() ? "?" : "&";
    q += p;
  };
  append(selector_);
  for (const auto& p : parts)
    append(p);
  return collectionPath_ + q;
}

std::chrono::milliseconds Reflector::nextBackoff() {
  // Exponential from backoffMin, capped, with full jitter in [d/2, d].
  const int exponent = std::min(backoffSteps_, 16);
  auto d = options_.backoffMin * (1LL << exponent);
  if (d > options_.backoffMax || d <= std::chrono::milliseconds(0)) d = options_.backoffMax;
  std::uniform_int_distribution<long long> jitter(d.count() / 2, d.count());
  return std::chrono::milliseconds(jitter(random_));
}

void Reflector::list(const std::string& continueToken) {
  if (stopped_) return;
  if (continueToken.empty()) {
    listing_ = true;
    handler_.onListStart();
  }
  std::string target = query({"limit=" + std::to_string(options_.pageSize),
                              continueToken.empty() ? std::string() : "continue=" + continueToken});
  client_.get(std::move(target), options_.requestTimeout, RateLimit::kWait,
              [self = shared_from_this()](util::Result<ApiResponse> response) {
                net::dispatch(self->strand_, [self, response = std::move(response)]() mutable {
                  self->onListPage(std::move(response));
                });
              });
}

void Reflector::onListPage(util::Result<ApiResponse> response) {
  if (stopped_) return;
  auto listFailed = [&](const std::string& error) {
    ++stats_.errors;
    util::Log::warn("List failed", {{"resource", name_}, {"err", error}});
    handler_.onListAborted();
    listing_ = false;
    retryLater(true);
  };
  if (!response) return listFailed(response.error());
  if (response->status == 410) {
    // The continue token expired mid-list: start over, at once the first
    // time; again and again only after a growing backoff.
    handler_.onListAborted();
    listing_ = false;
    if (backoffSteps_ > 0) return retryLater(true);
    ++backoffSteps_;
    return list("");
  }
  if (response->status != 200) {
    return listFailed("HTTP " + std::to_string(response->status) + ": " + response->body.substr(0, 300));
  }
  rapidjson::Document doc;
  if (auto parsed =
          webhook::parseJsonInsitu(doc, response->body.data(), static_cast<unsigned>(options_.maxJsonDepth));
      !parsed) {
    return listFailed(parsed.error());
  }
  if (const rapidjson::Value* items = webhook::arrayMember(doc, "items")) {
    for (const auto& item : items->GetArray())
      handler_.onListItem(item);
  }
  const rapidjson::Value* metadata = objectMember(doc, "metadata");
  const std::string continueToken = metadata ? std::string(stringMember(*metadata, "continue")) : "";
  if (!continueToken.empty()) return list(continueToken);

  resourceVersion_ = metadata ? std::string(stringMember(*metadata, "resourceVersion")) : "";
  listing_ = false;
  relistNeeded_ = false;
  consecutiveFailures_ = 0;
  if (stats_.lists.fetch_add(1) > 0) ++stats_.relists;
  handler_.onListDone();
  synced_.store(true, std::memory_order_release);
  watch();
}

void Reflector::watch() {
  if (stopped_) return;
  if (watchedOnce_) ++stats_.watchRestarts;
  watchedOnce_ = true;
  std::uniform_int_distribution<long long> spread(options_.watchTimeoutMin.count(),
                                                  2 * options_.watchTimeoutMin.count());
  const auto timeoutSeconds = spread(random_);
  std::string target = query({"watch=1", "allowWatchBookmarks=true", "resourceVersion=" + resourceVersion_,
                              "timeoutSeconds=" + std::to_string(timeoutSeconds)});
  const std::uint64_t generation = ++streamGeneration_;
  watchStarted_ = std::chrono::steady_clock::now();
  watchSawEvent_ = false;
  auto self = shared_from_this();
  stream_ = client_.watch(
      std::move(target), options_.watchIdleTimeout,
      [self, generation](std::string_view line) {
        // Copy: the line's storage is the client's, and we hop threads.
        net::dispatch(self->strand_, [self, generation, text = std::string(line)]() mutable {
          if (generation == self->streamGeneration_) self->onWatchLine(text);
        });
      },
      [self, generation](util::Status status) {
        net::dispatch(self->strand_, [self, generation, status = std::move(status)]() mutable {
          if (generation == self->streamGeneration_) self->onWatchClosed(status);
        });
      });
}

void Reflector::onWatchLine(std::string_view line) {
  if (stopped_ || relistNeeded_) return;
  rapidjson::Document event;
  if (auto parsed = webhook::parseJson(event, line, static_cast<unsigned>(options_.maxJsonDepth)); !parsed) {
    util::Log::warn("Watch event ignored: invalid JSON", {{"resource", name_}, {"err", parsed.error()}});
    return;
  }
  const std::string_view type = stringMember(event, "type");
  const rapidjson::Value* object = objectMember(event, "object");
  if (!object) return;
  if (type == "ERROR") {
    const int code = statusCode(*object);
    util::Log::info(
        "Watch ended with an error event",
        {{"resource", name_}, {"code", code}, {"message", std::string(stringMember(*object, "message"))}});
    // 410 Gone: our resourceVersion is too old; everything else, start over
    // from the list too, since we no longer know what we missed.
    relistNeeded_ = true;
    if (stream_) stream_->cancel();
    return;
  }
  if (const rapidjson::Value* metadata = objectMember(*object, "metadata")) {
    const std::string_view rv = stringMember(*metadata, "resourceVersion");
    if (!rv.empty()) resourceVersion_ = std::string(rv);
  }
  consecutiveFailures_ = 0;
  backoffSteps_ = 0;
  watchSawEvent_ = true;
  if (type == "BOOKMARK") return;
  if (type == "ADDED") {
    handler_.onEvent(ReflectorHandler::EventType::kAdded, *object);
  } else if (type == "MODIFIED") {
    handler_.onEvent(ReflectorHandler::EventType::kModified, *object);
  } else if (type == "DELETED") {
    handler_.onEvent(ReflectorHandler::EventType::kDeleted, *object);
  }
}

void Reflector::onWatchClosed(const util::Status& status) {
  stream_.reset();
  if (stopped_) return;
  if (relistNeeded_) {
    relistNeeded_ = false;
    ++stats_.errors;
    return retryLater(true);
  }
  const bool shortAndEmpty =
      !watchSawEvent_ && std::chrono::steady_clock::now() - watchStarted_ < kShortWatch;
  if (status && !shortAndEmpty) {
    // The server ended the watch (its timeout): resume at once.
    return watch();
  }
  ++stats_.errors;
  const std::string error = status ? "watch ended at once without events" : status.error();
  util::Log::warn("Watch failed", {{"resource", name_}, {"err", error}});
  // 410 Gone when opening the watch: our resourceVersion is too old to resume.
  const bool gone =
      !status && status.failure().code == util::ErrorCode::kHttpStatus && status.failure().httpStatus == 410;
  retryLater(gone || consecutiveFailures_ + 1 >= kRelistAfterFailures);
}

void Reflector::retryLater(bool relist) {
  const auto delay = nextBackoff();
  ++consecutiveFailures_;
  ++backoffSteps_;
  retryTimer_.expires_after(delay);
  retryTimer_.async_wait([self = shared_from_this(), relist,
                          generation = ++retryGeneration_](const boost::system::error_code& ec) {
    if (ec || self->stopped_ || generation != self->retryGeneration_) return;
    if (relist) {
      self->list("");
    } else {
      self->watch();
    }
  });
}

}  // namespace irsa::kube
