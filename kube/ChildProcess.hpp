#pragma once
// Runs one short-lived command to completion, blocking the calling thread:
// stdin is /dev/null, stdout and stderr are captured (bounded), and the
// command is killed when it outlives its timeout. For credential plugins;
// call it only from a thread of its own, never from an I/O thread.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::kube {

struct ChildProcessSpec {
  std::string path;               // an executable file (already looked up in PATH)
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // "NAME=value", the whole environment
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::size_t maxStdoutBytes{std::size_t{1} << 20};  // more fails the run
  std::size_t maxStderrBytes{std::size_t{4} << 10};  // more is cut (the rest is read and dropped)
};

struct ChildProcessResult {
  int exitCode{0};  // valid when !signaled
  bool signaled{false};
  int signal{0};
  std::string out;
  std::string err;  // at most maxStderrBytes
  bool errTruncated{false};
};

// Errors: the command could not be started, timed out, or wrote too much.
// A non-zero exit is a result, not an error. `runningPid` (optional) holds
// the child's pid while it runs, so another thread can kill it early.
util::Result<ChildProcessResult> runChildProcess(const ChildProcessSpec& spec,
                                                 std::atomic<pid_t>* runningPid = nullptr);

// exec.LookPath: a name with a '/' is used as it is; otherwise the first
// executable regular file of that name in the directories of `pathEnv`.
// An empty result: not found.
std::string lookPath(const std::string& name, const std::string& pathEnv);

}  // namespace irsa::kube
