#include "util/LogFile.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "util/LogOutput.hpp"

namespace irsa::util {

LogFile::Descriptor::~Descriptor() {
  if (fd >= 0) ::close(fd);
}

Result<std::shared_ptr<LogFile>> LogFile::open(Opener opener, std::uint64_t maxBytes) {
  std::uint64_t header = 0;
  auto first = opener(true, header);
  if (!first) return first.failure();
  std::shared_ptr<LogFile> file(new LogFile(std::move(opener), maxBytes));
  file->current_.store(std::move(*first));
  file->bytes_.store(header);
  return file;
}

void LogFile::write(std::string_view line) {
  if (maxBytes_ > 0) {
    const std::uint64_t before = bytes_.fetch_add(line.size());
    // As klog: the line that would reach the limit opens the next file and goes there.
    if (before + line.size() >= maxBytes_ && !rotating_.test_and_set()) {
      rotate();
      bytes_.fetch_add(line.size());
      rotating_.clear();
    }
  }
  const auto descriptor = current_.load();
  writeAll(descriptor->fd, line);
}

void LogFile::rotate() {
  std::uint64_t header = 0;
  auto next = opener_(false, header);
  if (!next) {
    // klog exits here; a webhook keeps serving and keeps the current file.
    const std::string line = "log: cannot rotate the log file: " + next.error() + "\n";
    writeAll(STDERR_FILENO, line);
    bytes_.store(0);
    return;
  }
  current_.store(std::move(*next));
  bytes_.store(header);
}

std::string logFileHeader(std::string_view binaryDescription) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char created[32];
  if (std::strftime(created, sizeof created, "%Y/%m/%d %H:%M:%S", &tm) == 0) created[0] = '\0';
  char host[256];
  const bool named = ::gethostname(host, sizeof host) == 0;
  host[sizeof host - 1] = '\0';
  std::string header;
  header.append("Log file created at: ").append(created).push_back('\n');
  header.append("Running on machine: ").append(named ? host : "unknownhost").push_back('\n');
  header.append("Binary: ").append(binaryDescription).push_back('\n');
  header.append("Log line format: [IWEF]mmdd hh:mm:ss.uuuuuu threadid file:line] msg\n");
  return header;
}

}  // namespace irsa::util
