#include "server/ProcessMetrics.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <limits>

#include "util/Files.hpp"

namespace irsa::server {
namespace {

std::optional<double> number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Splits on runs of spaces.
std::vector<std::string_view> fields(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t'))
      ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\n')
      ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
    if (i < text.size() && text[i] == '\n') break;
  }
  return out;
}

prometheus::MetricFamily family(std::string name, std::string help, prometheus::MetricType type,
                                double value) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

}  // namespace

std::optional<ProcStat> parseProcStat(std::string_view text) {
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so the
  // fields start after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  const auto f = fields(text.substr(close + 1));
  // f[0] is field 3 (state); utime is field 14, rss field 24.
  if (f.size() < 22) return std::nullopt;
  const auto utime = number(f[11]);
  const auto stime = number(f[12]);
  const auto start = number(f[19]);
  const auto vsize = number(f[20]);
  const auto rss = number(f[21]);
  if (!utime || !stime || !start || !vsize || !rss) return std::nullopt;
  return ProcStat{*utime, *stime, *start, *vsize, *rss};
}

std::optional<double> parseSoftLimit(std::string_view limits, std::string_view row) {
  std::size_t at = 0;
  while (at < limits.size()) {
    const auto end = limits.find('\n', at);
    std::string_view line =
        limits.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (line.substr(0, row.size()) == row && line.size() > row.size() && line[row.size()] == ' ') {
      const auto f = fields(line.substr(row.size()));
      if (f.empty()) return std::nullopt;
      if (f[0] == "unlimited") return static_cast<double>(std::numeric_limits<std::uint64_t>::max());
      return number(f[0]);
    }
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<double> parseBootTime(std::string_view procStat) {
  const auto at = procStat.find("\nbtime ");
  if (at == std::string_view::npos) return std::nullopt;
  const auto f = fields(procStat.substr(at + 7));
  if (f.empty()) return std::nullopt;
  return number(f[0]);
}

ProcessMetrics::ProcessMetrics(std::string procDir, std::string procStatFile)
    : procDir_(std::move(procDir)), procStatFile_(std::move(procStatFile)) {}

std::vector<prometheus::MetricFamily> ProcessMetrics::Collect() const {
  using prometheus::MetricType;
  std::vector<prometheus::MetricFamily> out;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));

  if (auto text = util::readTextFile(procDir_ + "/stat")) {
    if (auto stat = parseProcStat(*text); stat && ticks > 0) {
      out.push_back(family("process_cpu_seconds_total",
                           "User and system CPU time used by the process, in seconds", MetricType::Counter,
                           (stat->utimeTicks + stat->stimeTicks) / ticks));
      out.push_back(family("process_virtual_memory_bytes",
                           "Size of the process's virtual address space, in bytes", MetricType::Gauge,
                           stat->vsizeBytes));
      out.push_back(family("process_resident_memory_bytes", "Resident set size of the process, in bytes",
                           MetricType::Gauge, stat->rssPages * page));
      auto system = util::readTextFile(procStatFile_);
      if (auto boot = system ? parseBootTime(*system) : std::nullopt) {
        out.push_back(family("process_start_time_seconds", "When the process started, in Unix seconds",
                             MetricType::Gauge, *boot + stat->startTicks / ticks));
      }
    }
  }

  std::error_code ec;
  double open = 0;
  for (std::filesystem::directory_iterator it(procDir_ + "/fd", ec), end; !ec && it != end; it.increment(ec))
    ++open;
  if (!ec) {
    out.push_back(
        family("process_open_fds", "File descriptors the process holds open", MetricType::Gauge, open));
  }

  if (auto limits = util::readTextFile(procDir_ + "/limits")) {
    if (auto maxFds = parseSoftLimit(*limits, "Max open files")) {
      out.push_back(family("process_max_fds", "Most file descriptors the process may open (soft limit)",
                           MetricType::Gauge, *maxFds));
    }
    if (auto maxVsize = parseSoftLimit(*limits, "Max address space")) {
      out.push_back(family("process_virtual_memory_max_bytes",
                           "Largest virtual address space the process may have (soft limit), in bytes",
                           MetricType::Gauge, *maxVsize));
    }
  }
  return out;
}

}  // namespace irsa::server
