#include "kube/ExecCredentialProvider.hpp"

#include <signal.h>

#include <boost/asio/post.hpp>

#include "kube/ExecCredential.hpp"
#include "util/Log.hpp"

namespace irsa::kube {
namespace {

std::string envName(const std::string& entry) {
  return entry.substr(0, entry.find('='));
}

// Go's os/exec keeps the last value of a repeated name; so do we.
void setEnv(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  for (auto& entry : env) {
    if (envName(entry) == name) {
      entry = name;
      entry.append("=").append(value);
      return;
    }
  }
  env.push_back(name + "=" + value);
}

std::string pathOf(const std::vector<std::string>& env) {
  for (const auto& entry : env) {
    if (entry.starts_with("PATH=")) return entry.substr(5);
  }
  return {};
}

// The plugin's stderr as one bounded line for an error message.
std::string stderrNote(const ChildProcessResult& r) {
  std::string text = r.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (text.empty()) return "";
  return "; stderr: " + text + (r.errTruncated ? "..." : "");
}

}  // namespace

ExecCredentialProvider::ExecCredentialProvider(ExecCredentialConfig exec, const ClusterConfig& cluster,
                                               const std::string& server,
                                               std::vector<std::string> environment,
                                               ExecCredentialOptions options)
    : exec_(std::move(exec)),
      execInfo_(execInfoJson(exec_, cluster, server)),
      environment_([&] {
        for (const auto& [name, value] : exec_.env)
          setEnv(environment, name, value);
        setEnv(environment, "KUBERNETES_EXEC_INFO", execInfo_);
        return std::move(environment);
      }()),
      path_(pathOf(environment_)),
      options_(options) {}

ExecCredentialProvider::~ExecCredentialProvider() {
  std::thread worker;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    worker = std::move(worker_);
  }
  if (const pid_t pid = childPid_.load(); pid > 0) ::kill(pid, SIGKILL);  // the worker then finishes at once
  if (worker.joinable()) worker.join();
}

bool ExecCredentialProvider::fresh(const Cached& cached) const {
  return !cached.expiration || SystemClock::now() + options_.expiryMargin < *cached.expiration;
}

std::optional<util::Result<Credential>> ExecCredentialProvider::acquire(
    const boost::asio::any_io_executor& executor, Done done) {
  std::lock_guard lock(mutex_);
  if (stopping_) return util::Result<Credential>(util::fail("exec plugin: the client is shutting down"));
  if (cached_ && fresh(*cached_)) return util::Result<Credential>(cached_->credential);
  waiters_.emplace_back(executor, std::move(done));
  if (!running_) {
    running_ = true;
    // The previous run has handed out its result (running_ was false), so
    // this join returns at once.
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this] { run(); });
  }
  return std::nullopt;
}

bool ExecCredentialProvider::invalidate(const Credential& used) {
  std::lock_guard lock(mutex_);
  if (cached_ && cached_->credential.generation == used.generation) cached_.reset();
  return true;  // the next acquire() runs the plugin, or has a newer token already
}

void ExecCredentialProvider::run() {
  auto result = runOnce();
  util::Result<Credential> outcome = util::fail("unset");
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    running_ = false;
    if (result) {
      result->credential.generation = ++generation_;
      cached_ = *result;
      outcome = result->credential;
    } else {
      outcome = result.failure();
    }
    waiters.swap(waiters_);
  }
  if (!result)
    util::Log::warn("kubeconfig exec plugin failed", {{"command", exec_.command}, {"err", result.error()}});
  for (auto& [executor, done] : waiters) {
    boost::asio::post(executor, [done = std::move(done), outcome] { done(outcome); });
  }
}

util::Result<ExecCredentialProvider::Cached> ExecCredentialProvider::runOnce() {
  runs_.fetch_add(1);
  const std::string name = "exec plugin \"" + exec_.command + "\"";
  const std::string resolved = lookPath(exec_.command, path_);
  if (resolved.empty()) {
    std::string message =
        name + ": executable not found" + (exec_.command.find('/') == std::string::npos ? " in PATH" : "");
    if (!exec_.installHint.empty()) message += "; " + exec_.installHint;
    return util::fail(message);
  }
  ChildProcessSpec spec;
  spec.path = resolved;
  spec.argv.push_back(exec_.command);
  spec.argv.insert(spec.argv.end(), exec_.args.begin(), exec_.args.end());
  spec.env = environment_;
  spec.timeout = options_.timeout;
  auto ran = runChildProcess(spec, &childPid_);
  if (!ran) return ran.failure().within(name);
  if (ran->signaled) {
    return util::fail(name + ": killed by signal " + std::to_string(ran->signal) + stderrNote(*ran));
  }
  if (ran->exitCode != 0) {
    return util::fail(name + ": exit status " + std::to_string(ran->exitCode) + stderrNote(*ran));
  }
  auto parsed = parseExecCredential(ran->out, exec_.apiVersion);
  if (!parsed) {
    util::Error error = parsed.failure().within(name);
    error.message += stderrNote(*ran);
    return error;
  }
  util::Log::info("kubeconfig exec plugin ran",
                  {{"command", exec_.command}, {"expires", parsed->expiration.has_value()}});
  return Cached{Credential{std::move(parsed->token), 0}, parsed->expiration};
}

}  // namespace irsa::kube
