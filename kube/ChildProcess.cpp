#include "kube/ChildProcess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <thread>

#include "util/Files.hpp"

namespace irsa::kube {
namespace {

using Clock = std::chrono::steady_clock;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void assign(int fd) {
    reset();
    fd_ = fd;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_{-1};
};

bool makePipe(Fd& readEnd, Fd& writeEnd) {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) return false;
  readEnd.assign(fds[0]);
  writeEnd.assign(fds[1]);
  return true;
}

// posix_spawn's C arrays, pointing into the spec's strings.
std::vector<char*> cStrings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const auto& s : strings)
    out.push_back(
        const_cast<char*>(s.c_str()));  // NOLINT(cppcoreguidelines-pro-type-const-cast): spawn's API
  out.push_back(nullptr);
  return out;
}

void killAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string lookPath(const std::string& name, const std::string& pathEnv) {
  const auto executable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return executable(name) ? name : std::string();
  std::size_t start = 0;
  while (start <= pathEnv.size()) {
    const std::size_t colon = std::min(pathEnv.find(':', start), pathEnv.size());
    std::string dir = pathEnv.substr(start, colon - start);
    if (dir.empty()) dir = ".";  // an empty PATH entry means the working directory
    std::string candidate = std::move(dir);
    candidate.append("/").append(name);
    if (executable(candidate)) return candidate;
    start = colon + 1;
  }
  return {};
}

util::Result<ChildProcessResult> runChildProcess(const ChildProcessSpec& spec,
                                                 std::atomic<pid_t>* runningPid) {
  Fd outRead, outWrite, errRead, errWrite;
  if (!makePipe(outRead, outWrite) || !makePipe(errRead, errWrite))
    return util::fail("pipe: " + util::strerrorText(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outWrite.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, errWrite.get(), STDERR_FILENO);
  // The server's sockets and files are not the plugin's business.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Default signal dispositions and an empty mask, whatever the server set.
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto argv = cStrings(spec.argv);
  auto envp = cStrings(spec.env);
  pid_t pid = -1;
  const int spawned = ::posix_spawn(&pid, spec.path.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawned != 0) return util::fail("start " + spec.path + ": " + util::strerrorText(spawned));
  if (runningPid) runningPid->store(pid);
  outWrite.reset();
  errWrite.reset();

  ChildProcessResult result;
  const auto deadline = Clock::now() + spec.timeout;
  std::array<char, 4096> buffer{};
  bool outOpen = true;
  bool errOpen = true;
  std::string failure;
  while ((outOpen || errOpen) && failure.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      failure = "timed out after " + std::to_string(spec.timeout.count()) + "ms";
      break;
    }
    std::array<pollfd, 2> fds{
        {{outOpen ? outRead.get() : -1, POLLIN, 0}, {errOpen ? errRead.get() : -1, POLLIN, 0}}};
    const int ready =
        ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) {
      failure = "poll: " + util::strerrorText(errno);
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        (i == 0 ? outOpen : errOpen) = false;
        continue;
      }
      const std::string_view got(buffer.data(), static_cast<std::size_t>(n));
      if (i == 0) {
        if (result.out.size() + got.size() > spec.maxStdoutBytes) {
          failure = "wrote more than " + std::to_string(spec.maxStdoutBytes) + " bytes to stdout";
          break;
        }
        result.out.append(got);
      } else {
        const std::size_t room = spec.maxStderrBytes - std::min(spec.maxStderrBytes, result.err.size());
        result.err.append(got.substr(0, room));
        if (got.size() > room) result.errTruncated = true;
      }
    }
  }
  if (!failure.empty()) {
    killAndReap(pid);
    if (runningPid) runningPid->store(-1);
    return util::fail(failure + (result.err.empty() ? "" : "; stderr: " + result.err));
  }
  // Both pipes are closed, so the child is exiting; a child that closed
  // them and kept running is still held to the deadline.
  int status = 0;
  pid_t waited = 0;
  while ((waited = ::waitpid(pid, &status, WNOHANG)) == 0 || (waited < 0 && errno == EINTR)) {
    if (Clock::now() >= deadline) {
      killAndReap(pid);
      if (runningPid) runningPid->store(-1);
      return util::fail("timed out after " + std::to_string(spec.timeout.count()) +
                        "ms (it closed its output but did not exit)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // its own thread: blocks nobody
  }
  if (runningPid) runningPid->store(-1);
  if (waited < 0) return util::fail("waitpid: " + util::strerrorText(errno));
  if (WIFSIGNALED(status)) {
    result.signaled = true;
    result.signal = WTERMSIG(status);
  } else {
    result.exitCode = WEXITSTATUS(status);
  }
  return result;
}

}  // namespace irsa::kube
