#include "util/LogOutput.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "util/Files.hpp"
#include "util/LogFile.hpp"

namespace irsa::util {
namespace {

constexpr const char* kSeverityNames[] = {"INFO", "WARNING", "ERROR", "FATAL"};

std::string shortHostname() {
  char host[256];
  if (::gethostname(host, sizeof host) != 0) return "unknownhost";
  host[sizeof host - 1] = '\0';
  std::string name(host);
  if (const auto dot = name.find('.'); dot != std::string::npos) name.resize(dot);
  return name.empty() ? "unknownhost" : name;
}

std::string userName() {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
      found->pw_name != nullptr)
    return found->pw_name;
  return "unknownuser";
}

Result<std::shared_ptr<LogFile::Descriptor>> openDescriptor(const std::string& path, int flags,
                                                            const std::string& header,
                                                            std::uint64_t& headerBytes) {
  const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) return fail("open " + path + ": " + strerrorText(errno));
  auto descriptor = std::make_shared<LogFile::Descriptor>();
  descriptor->fd = fd;
  writeAll(fd, header);
  headerBytes = header.size();
  return descriptor;
}

// --log_file: appended to at start, truncated when it reaches its limit (klog's rotation).
LogFile::Opener singleFile(const LogSettings& s) {
  return [path = s.logFile, skip = s.skipLogHeaders, binary = s.binaryDescription](
             bool startup, std::uint64_t& headerBytes) {
    return openDescriptor(path, startup ? 0 : O_TRUNC, skip ? std::string() : logFileHeader(binary),
                          headerBytes);
  };
}

// --log_dir (else $TMPDIR, else /tmp): program.host.user.log.SEVERITY.yyyymmdd-hhmmss.pid,
// with the symlink program.SEVERITY pointing at the newest.
LogFile::Opener directoryFile(const LogSettings& s, const char* severity) {
  std::vector<std::string> dirs;
  if (!s.logDir.empty()) dirs.push_back(s.logDir);
  const char* tmp = std::getenv("TMPDIR");  // NOLINT(concurrency-mt-unsafe): nothing here calls setenv
  dirs.emplace_back(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  const std::string prefix = s.program + "." + shortHostname() + "." + userName() + ".log." + severity + ".";
  const std::string link = s.program + "." + severity;
  return [dirs, prefix, link, skip = s.skipLogHeaders, binary = s.binaryDescription](
             bool, std::uint64_t& headerBytes) -> Result<std::shared_ptr<LogFile::Descriptor>> {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char stamp[48];
    if (std::snprintf(stamp, sizeof stamp, "%04d%02d%02d-%02d%02d%02d.%d", tm.tm_year + 1900, tm.tm_mon + 1,
                      tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(::getpid())) < 0)
      stamp[0] = '\0';
    const std::string name = prefix + stamp;
    std::string errors;
    for (const auto& dir : dirs) {
      std::string path = dir;
      path.append("/").append(name);
      auto opened = openDescriptor(path, O_TRUNC, skip ? std::string() : logFileHeader(binary), headerBytes);
      if (!opened) {
        errors.append(errors.empty() ? "" : ", ").append(opened.error());
        continue;
      }
      std::string linkPath = dir;
      linkPath.append("/").append(link);
      ::unlink(linkPath.c_str());  // NOLINT(cert-err33-c): a missing link is the usual case
      [[maybe_unused]] const int ignored = ::symlink(name.c_str(), linkPath.c_str());
      return opened;
    }
    return fail("log: cannot create log: " + errors);
  };
}

}  // namespace

void writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

LogOutput::LogOutput(const LogSettings& settings) : settings_(settings) {}
LogOutput::~LogOutput() = default;

Result<std::unique_ptr<LogOutput>> LogOutput::create(const LogSettings& settings) {
  std::unique_ptr<LogOutput> output(new LogOutput(settings));
  if (settings.logToStderr) return output;  // klog: the file flags have no effect then
  if (!settings.logFile.empty()) {
    auto file = LogFile::open(singleFile(settings), settings.logFileMaxBytes);
    if (!file) return file.failure().within("log: unable to create log");
    output->files_.fill(*file);
    return output;
  }
  for (int s = 0; s < 4; ++s) {
    auto file = LogFile::open(directoryFile(settings, kSeverityNames[s]), settings.logFileMaxBytes);
    if (!file) return file.failure();
    output->files_[static_cast<std::size_t>(s)] = std::move(*file);
  }
  return output;
}

bool LogOutput::toStderr(LogSeverity severity) const {
  const int s = static_cast<int>(severity);
  if (settings_.logToStderr) {
    return settings_.legacyStderrThresholdBehavior || s >= static_cast<int>(settings_.stderrThreshold);
  }
  if (settings_.alsoLogToStderr && s >= static_cast<int>(settings_.alsoLogToStderrThreshold)) return true;
  return s >= static_cast<int>(settings_.stderrThreshold);
}

void LogOutput::write(LogSeverity severity, std::string_view line) const {
  if (toStderr(severity)) writeAll(settings_.stderrFd, line);
  if (settings_.logToStderr) return;
  const int s = std::clamp(static_cast<int>(severity), 0, 3);
  if (!settings_.logFile.empty()) {
    files_[0]->write(line);
  } else if (settings_.oneOutput) {
    files_[static_cast<std::size_t>(s)]->write(line);
  } else {
    // A line also goes to the files of every lower severity, as in klog.
    for (int i = s; i >= 0; --i)
      files_[static_cast<std::size_t>(i)]->write(line);
  }
}

}  // namespace irsa::util
