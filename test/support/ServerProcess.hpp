#pragma once
// The real irsa-webhook binary as a child process: fork/exec with stdout and
// stderr captured to files, polled with deadlines (never fixed sleeps), and
// killed when the object goes away so no test leaks a server.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::testsupport {

using std::chrono::milliseconds;

// Path of the binary under test (IRSA_BINARY from test/CMakeLists.txt).
std::string binaryPath();

struct ExitStatus {
  bool exited{false};  // false: killed by `signal`
  int code{-1};
  int signal{0};
};

class ServerProcess {
 public:
  // Starts `irsa-webhook <args…>` (or `binary <args…>`); its output goes to
  // files in `logDir`.
  ServerProcess(std::vector<std::string> args, const std::filesystem::path& logDir,
                const std::string& binary = binaryPath());
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::string stderrText() const;
  std::string stdoutText() const;

  // Polls stderr until a line contains `needle`; returns that line. Gives up
  // at the deadline or as soon as the process has exited.
  std::optional<std::string> waitForLog(std::string_view needle, milliseconds timeout);
  // How many stderr lines contain `needle` right now.
  std::size_t countLog(std::string_view needle) const;

  // Waits for `serve --ready-file readyFile` to write that file, and reads
  // both ports from it. False if it did not appear in time or the process
  // exited first.
  bool waitServing(const std::filesystem::path& readyFile, milliseconds timeout = std::chrono::seconds(10));
  // Waits for the "Webhook started" log line and reads both ports from it
  // (a test of the log itself; the ready file is how tests learn the ports).
  bool waitStartedLine(milliseconds timeout = std::chrono::seconds(10));
  unsigned short port() const { return port_; }
  unsigned short metricsPort() const { return metricsPort_; }

  void signal(int sig);
  // nullopt while still running at the deadline.
  std::optional<ExitStatus> waitExit(milliseconds timeout);
  bool running();

 private:
  pid_t pid_{-1};
  std::optional<ExitStatus> exit_;
  std::filesystem::path stdoutPath_;
  std::filesystem::path stderrPath_;
  unsigned short port_{0};
  unsigned short metricsPort_{0};
};

// Calls `done` every `interval` until it returns true or the deadline passes
// (`timeout` as a guard: Slowdown.hpp); returns its last answer.
bool pollUntil(const std::function<bool()>& done, milliseconds timeout,
               milliseconds interval = milliseconds(20));

// The value of `key=` in a structured log line ("" when absent).
std::string logField(std::string_view line, std::string_view key);

struct RunResult {
  ExitStatus status;
  bool timedOut{false};
  std::string out;
  std::string err;
};

// Runs the binary to completion (killed at the deadline).
RunResult runBinary(std::vector<std::string> args, const std::filesystem::path& workDir,
                    milliseconds timeout = std::chrono::seconds(10),
                    const std::string& binary = binaryPath());

}  // namespace irsa::testsupport
