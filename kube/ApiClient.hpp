#pragma once
// The Kubernetes API as the rest of kube/ sees it: asynchronous GETs and
// watch streams against one API server. The HTTPS implementation is
// KubeApiClient; tests use a fake. Callbacks may run on any I/O thread and
// must not block.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::kube {

struct ApiResponse {
  int status{0};     // HTTP status
  std::string body;  // the whole body (JSON, or a Status object on errors)
};

enum class RateLimit {
  kWait,           // wait for a token of the QPS/burst limiter (client-go's behaviour)
  kSkipIfLimited,  // fail at once (ErrorCode::kRateLimited) instead of queueing
};

inline constexpr std::string_view kRateLimitedError = "client-side rate limit reached";

class ApiClient {
 public:
  using ResponseCallback = std::function<void(util::Result<ApiResponse>)>;
  using LineCallback = std::function<void(std::string_view line)>;
  using CloseCallback = std::function<void(util::Status)>;

  // An open watch stream. Destroying the handle does not cancel it.
  class Stream {
   public:
    virtual ~Stream() = default;
    // Ends the stream; onClose is still called once (with an error).
    virtual void cancel() = 0;
  };

  virtual ~ApiClient() = default;

  // GET `target` (path and query, e.g. "/api/v1/serviceaccounts?limit=500").
  // `done` is called exactly once: an error for transport failures
  // (connect, TLS, timeout, rate limit), else the response of any status.
  virtual void get(std::string target, std::chrono::milliseconds timeout, RateLimit limit,
                   ResponseCallback done) = 0;

  // Opens a streaming GET (a `?watch=1` target). onLine gets each
  // newline-delimited JSON watch event as it arrives; onClose is called once
  // when the stream ends: OK when the server closed it cleanly, an error
  // otherwise. A non-200 status reads "… HTTP <code>: <body>" (so a caller
  // can tell 410 Gone apart).
  // `idleTimeout` ends a stream that sends nothing (not even bookmarks).
  virtual std::shared_ptr<Stream> watch(std::string target, std::chrono::milliseconds idleTimeout,
                                        LineCallback onLine, CloseCallback onClose) = 0;
};

}  // namespace irsa::kube
