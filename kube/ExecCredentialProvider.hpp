#pragma once
// A kubeconfig `exec` credential plugin as the source of the bearer token,
// run as client-go runs it: the command (PATH lookup), its args, the
// webhook's environment plus the plugin's `env` and KUBERNETES_EXEC_INFO,
// stdin /dev/null, never interactive. The token is cached until its
// expirationTimestamp (or, without one, until the API server answers 401).
//
// The plugin runs on a thread of its own; requests that need a token while
// it runs are queued and all get its result. A failure (cannot start, exit
// status, timeout, bad output) fails the queued requests with an error that
// names the plugin and quotes its stderr (bounded); the next request runs
// it again, so callers' own backoff (the Reflector's) paces the retries.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kube/ChildProcess.hpp"
#include "kube/ClusterConfig.hpp"
#include "kube/CredentialProvider.hpp"

namespace irsa::kube {

struct ExecCredentialOptions {
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // one plugin run
  // A token this close to its expiry is refreshed before use.
  std::chrono::milliseconds expiryMargin{std::chrono::seconds(0)};
};

class ExecCredentialProvider final : public CredentialProvider {
 public:
  using SystemClock = std::chrono::system_clock;

  // `environment`: the webhook's own ("NAME=value"), captured at start-up.
  // `server`: the API server URL for KUBERNETES_EXEC_INFO.
  ExecCredentialProvider(ExecCredentialConfig exec, const ClusterConfig& cluster, const std::string& server,
                         std::vector<std::string> environment, ExecCredentialOptions options);
  // Kills a plugin that still runs and joins its thread.
  ~ExecCredentialProvider() override;
  ExecCredentialProvider(const ExecCredentialProvider&) = delete;
  ExecCredentialProvider& operator=(const ExecCredentialProvider&) = delete;

  std::optional<util::Result<Credential>> acquire(const boost::asio::any_io_executor& executor,
                                                  Done done) override;
  bool invalidate(const Credential& used) override;

  // Plugin runs so far (for tests and logs).
  std::uint64_t runs() const { return runs_.load(); }

 private:
  struct Cached {
    Credential credential;
    std::optional<SystemClock::time_point> expiration;
  };
  using Waiter = std::pair<boost::asio::any_io_executor, Done>;

  void run();  // the worker thread's body
  util::Result<Cached> runOnce();
  bool fresh(const Cached& cached) const;

  const ExecCredentialConfig exec_;
  const std::string execInfo_;
  const std::vector<std::string> environment_;
  const std::string path_;  // PATH from `environment_`
  const ExecCredentialOptions options_;

  std::mutex mutex_;
  std::optional<Cached> cached_;  // guarded by mutex_
  std::vector<Waiter> waiters_;   // guarded by mutex_
  bool running_{false};           // guarded by mutex_
  bool stopping_{false};          // guarded by mutex_
  std::uint64_t generation_{0};   // guarded by mutex_
  std::thread worker_;            // guarded by mutex_; joined before the next run or in the destructor
  std::atomic<pid_t> childPid_{-1};
  std::atomic<std::uint64_t> runs_{0};
};

}  // namespace irsa::kube
