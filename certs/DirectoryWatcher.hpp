#pragma once
// Calls onChange when any of a set of files may have changed. It watches the
// files' *directories* with inotify, because a Kubernetes Secret mount swaps a
// `..data` symlink and a watch on the old file would never fire again; a slow
// stat() poll backs it up on filesystems without inotify. Bursts of events are
// coalesced (debounce), and spurious calls are possible: callers re-read and
// validate, which is cheap.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::certs {

class DirectoryWatcher {
 public:
  static constexpr std::chrono::milliseconds kDefaultDebounce{200};
  static constexpr std::chrono::milliseconds kDefaultPollInterval{10000};

  // What to do when a file's directory does not exist (yet).
  enum class MissingDirectory {
    kFail,           // create() fails
    kWatchAncestor,  // watch the nearest existing ancestor until the directory appears
  };

  // Fails if a file's directory is missing (with kFail) or cannot be
  // watched. onChange runs on a strand of `ex` (never concurrently with
  // itself) and must not block for long. Destroy the watcher before `ex`'s
  // execution context.
  static util::Result<std::unique_ptr<DirectoryWatcher>> create(
      boost::asio::any_io_executor ex, std::vector<std::string> files, std::function<void()> onChange,
      std::chrono::milliseconds debounce = kDefaultDebounce,
      MissingDirectory missing = MissingDirectory::kFail);

  struct State;  // shared with in-flight handlers so they never outlive it
  class Token {
    friend class DirectoryWatcher;
    Token() = default;
  };
  DirectoryWatcher(Token, std::shared_ptr<State> state);
  ~DirectoryWatcher();
  DirectoryWatcher(const DirectoryWatcher&) = delete;
  DirectoryWatcher& operator=(const DirectoryWatcher&) = delete;

  // Safety-poll period (default 10s); zero disables the poll. Thread-safe.
  void setPollInterval(std::chrono::milliseconds interval);

  // Cancels everything: once stop() returns no new onChange call starts (one
  // already begun on another thread may finish). Thread-safe, idempotent; the
  // destructor calls it.
  void stop();

 private:
  std::shared_ptr<State> state_;
};

}  // namespace irsa::certs
