#pragma once
// Where the admission path finds ServiceAccounts. The static file source
// (`--service-accounts`) and the API-server cache both implement this, so the
// server does not care which one feeds it.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

#include "webhook/ServiceAccount.hpp"

namespace irsa::kube {

class ServiceAccountLookup {
 public:
  using Ptr = std::shared_ptr<const webhook::ServiceAccount>;
  using Callback = std::function<void(Ptr)>;

  virtual ~ServiceAccountLookup() = default;

  // Cache read only: never blocks, never does I/O. nullptr when absent.
  virtual Ptr find(std::string_view ns, std::string_view name) const = 0;

  // Finds the ServiceAccount, waiting (asynchronously, never blocking the
  // caller's thread) at most until `deadline` for it to appear. `done` is
  // called exactly once, with nullptr when it is still absent at the
  // deadline, and never under the source's locks. Where it runs:
  //   - inline, before lookup() returns, when the answer is known at once
  //     (found, or absent with no time left to wait; a file source always);
  //   - otherwise on a thread running the source's io_context, on whichever
  //     strand delivered the answer (the watch's, the direct GET's or the
  //     deadline timer's). No strand of the caller's: a caller whose state
  //     needs one posts to it (HttpSession's responder dispatches to its own).
  virtual void lookup(std::string_view ns, std::string_view name,
                      std::chrono::steady_clock::time_point deadline, Callback done) = 0;

  // True once the source holds a complete view (for /readyz).
  virtual bool ready() const = 0;

  // Number of ServiceAccounts held (a metric).
  virtual std::size_t size() const = 0;

  // Visits every ServiceAccount held (the debugging handler). `visit` runs
  // under the source's internal locks: it must not block or call back in.
  virtual void forEach(const std::function<void(const webhook::ServiceAccount&)>& visit) const = 0;

  // Drops what is held and fetches it again (the debugging handler's
  // clear). A source read from a local file holds nothing that could be
  // stale, so by default this does nothing.
  virtual void clear() {}
};

}  // namespace irsa::kube
