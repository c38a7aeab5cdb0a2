#include "test/support/ServerProcess.hpp"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <stdexcept>
#include <thread>

#include "test/support/Slowdown.hpp"
#include "test/support/TempDir.hpp"

#ifndef IRSA_BINARY
#error "IRSA_BINARY must name the irsa-webhook binary under test"
#endif

namespace irsa::testsupport {
namespace {

constexpr milliseconds kPollInterval{10};

ExitStatus decode(int raw) {
  ExitStatus s;
  if (WIFEXITED(raw)) {
    s.exited = true;
    s.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  return s;
}

pid_t spawn(const std::string& binary, const std::vector<std::string>& args, const std::filesystem::path& out,
            const std::filesystem::path& err) {
  // Everything the child needs is prepared before fork: after it, only
  // async-signal-safe calls (the test process has threads).
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // Hermetic: a test runner inside a pod or with a kubeconfig must not lead
  // the server to a real cluster or real AWS credentials.
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.starts_with("KUBERNETES_") || entry.starts_with("KUBECONFIG=") || entry.starts_with("AWS_")) {
      continue;
    }
    env.emplace_back(entry);
  }
  std::vector<char*> envp;
  for (auto& e : env)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  const int outFd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int errFd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int nullFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (outFd < 0 || errFd < 0 || nullFd < 0) throw std::runtime_error("cannot open the child's log files");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Never outlive the test runner, even if it crashes.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(nullFd, 0);
    ::dup2(outFd, 1);
    ::dup2(errFd, 2);
    // Client sockets of the test must not stay open in the server.
    ::close_range(3, ~0U, 0);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(outFd);
  ::close(errFd);
  ::close(nullFd);
  if (pid < 0) throw std::runtime_error("fork failed");
  return pid;
}

std::atomic<int> counter{0};

}  // namespace

std::string binaryPath() {
  return IRSA_BINARY;
}

bool pollUntil(const std::function<bool()>& done, milliseconds timeout, milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + guard(timeout);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

std::string logField(std::string_view line, std::string_view key) {
  const std::string pattern = " " + std::string(key) + "=";
  const auto at = line.find(pattern);
  if (at == std::string_view::npos) return "";
  std::string_view rest = line.substr(at + pattern.size());
  if (!rest.empty() && rest.front() == '"') {
    std::string out;
    for (std::size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
      out.push_back(rest[i]);
    }
    return out;
  }
  return std::string(rest.substr(0, rest.find_first_of(" \n")));
}

ServerProcess::ServerProcess(std::vector<std::string> args, const std::filesystem::path& logDir,
                             const std::string& binary) {
  const int n = counter.fetch_add(1);
  stdoutPath_ = logDir / ("server-" + std::to_string(n) + ".stdout");
  stderrPath_ = logDir / ("server-" + std::to_string(n) + ".stderr");
  pid_ = spawn(binary, args, stdoutPath_, stderrPath_);
}

ServerProcess::~ServerProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int raw = 0;
    ::waitpid(pid_, &raw, 0);
  }
}

std::string ServerProcess::stderrText() const {
  return readFile(stderrPath_);
}
std::string ServerProcess::stdoutText() const {
  return readFile(stdoutPath_);
}

std::size_t ServerProcess::countLog(std::string_view needle) const {
  const std::string text = stderrText();
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

std::optional<std::string> ServerProcess::waitForLog(std::string_view needle, milliseconds timeout) {
  std::optional<std::string> found;
  pollUntil(
      [&] {
        // Checked before reading, so lines written just before exit still count.
        const bool alive = running();
        const std::string text = stderrText();
        if (const auto at = text.find(needle); at != std::string::npos) {
          const auto begin = text.rfind('\n', at);
          const auto start = begin == std::string::npos ? 0 : begin + 1;
          found = text.substr(start, text.find('\n', at) - start);
        }
        return found || !alive;
      },
      timeout, kPollInterval);
  return found;
}

bool ServerProcess::waitServing(const std::filesystem::path& readyFile, milliseconds timeout) {
  // Checked before reading, so a file written just before exit still counts.
  const auto written = [&] { return !running() || std::filesystem::exists(readyFile); };
  if (!pollUntil(written, timeout, kPollInterval) || !std::filesystem::exists(readyFile)) return false;
  rapidjson::Document doc;
  const std::string text = readFile(readyFile);
  doc.Parse(text.c_str());  // written whole (a rename), so never half a document
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("port") || !doc.HasMember("metricsPort") ||
      !doc["port"].IsUint() || !doc["metricsPort"].IsUint()) {
    return false;
  }
  port_ = static_cast<unsigned short>(doc["port"].GetUint());
  metricsPort_ = static_cast<unsigned short>(doc["metricsPort"].GetUint());
  return port_ != 0 && metricsPort_ != 0;
}

bool ServerProcess::waitStartedLine(milliseconds timeout) {
  const auto line = waitForLog("] Webhook started ", timeout);
  if (!line) return false;
  const std::string port = logField(*line, "port");
  const std::string metricsPort = logField(*line, "metricsPort");
  std::from_chars(port.data(), port.data() + port.size(), port_);
  std::from_chars(metricsPort.data(), metricsPort.data() + metricsPort.size(), metricsPort_);
  return port_ != 0 && metricsPort_ != 0;
}

void ServerProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

bool ServerProcess::running() {
  if (exit_ || pid_ <= 0) return false;
  int raw = 0;
  if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
    exit_ = decode(raw);
    return false;
  }
  return true;
}

std::optional<ExitStatus> ServerProcess::waitExit(milliseconds timeout) {
  if (!pollUntil([&] { return !running(); }, timeout, kPollInterval)) return std::nullopt;
  return exit_;
}

RunResult runBinary(std::vector<std::string> args, const std::filesystem::path& workDir, milliseconds timeout,
                    const std::string& binary) {
  ServerProcess process(std::move(args), workDir, binary);
  RunResult result;
  auto status = process.waitExit(timeout);
  if (!status) {
    result.timedOut = true;
    process.signal(SIGKILL);
    status = process.waitExit(std::chrono::seconds(5));
  }
  if (status) result.status = *status;
  result.out = process.stdoutText();
  result.err = process.stderrText();
  return result;
}

}  // namespace irsa::testsupport
