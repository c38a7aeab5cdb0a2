#include "bench/ProcessStats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <string>

#include "util/Files.hpp"

namespace irsa::bench {

util::Result<double> cpuSecondsFromStat(std::string_view stat, long ticksPerSecond) {
  // The command name (field 2) may hold spaces and parentheses: fields are
  // counted after its last ')'. utime and stime are fields 14 and 15.
  const auto paren = stat.rfind(')');
  if (paren == std::string_view::npos || ticksPerSecond <= 0)
    return util::fail("unexpected /proc stat format");
  std::string_view rest = stat.substr(paren + 1);
  unsigned long long values[2] = {0, 0};
  int field = 2;
  std::size_t at = 0;
  while (field < 15) {
    while (at < rest.size() && rest[at] == ' ')
      ++at;
    const std::size_t end = std::min(rest.find(' ', at), rest.size());
    if (at >= end) return util::fail("unexpected /proc stat format");
    ++field;
    if (field == 14 || field == 15) {
      auto [ptr, ec] = std::from_chars(rest.data() + at, rest.data() + end, values[field - 14]);
      if (ec != std::errc()) return util::fail("unexpected /proc stat format");
    }
    at = end;
  }
  return static_cast<double>(values[0] + values[1]) / static_cast<double>(ticksPerSecond);
}

std::uint64_t statusBytes(std::string_view status, std::string_view key) {
  std::size_t start = 0;
  while (start < status.size()) {
    const std::size_t end = std::min(status.find('\n', start), status.size());
    std::string_view line = status.substr(start, end - start);
    start = end + 1;
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':') continue;
    line.remove_prefix(key.size() + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
      line.remove_prefix(1);
    std::uint64_t kb = 0;
    std::from_chars(line.data(), line.data() + line.size(), kb);
    return kb * 1024;
  }
  return 0;
}

util::Result<ProcessSample> sampleProcess(int pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  auto stat = util::readTextFile(dir + "/stat");
  if (!stat) return util::fail("process " + std::to_string(pid) + " not found (" + stat.error() + ")");
  auto cpu = cpuSecondsFromStat(*stat, sysconf(_SC_CLK_TCK));
  if (!cpu) return cpu.failure().within(dir + "/stat");
  ProcessSample sample;
  sample.cpuSeconds = *cpu;
  if (auto status = util::readTextFile(dir + "/status")) {
    sample.rssBytes = statusBytes(*status, "VmRSS");
    sample.hwmBytes = statusBytes(*status, "VmHWM");
  }
  return sample;
}

double selfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace irsa::bench
