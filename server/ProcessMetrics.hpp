#pragma once
// The process_* series of the Prometheus client libraries (the Go client's
// process collector on Linux, which the reference exports), read from /proc
// when scraped, never per request.

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::server {

// The fields of /proc/<pid>/stat that the series need, in clock ticks and pages.
struct ProcStat {
  double utimeTicks{0};
  double stimeTicks{0};
  double startTicks{0};  // since boot
  double vsizeBytes{0};
  double rssPages{0};
};

// nullopt when the text is not a stat line.
std::optional<ProcStat> parseProcStat(std::string_view text);
// The soft limit of one /proc/<pid>/limits row ("Max open files"), as the Go
// client reports it: "unlimited" is 2^64-1. nullopt when the row is absent.
std::optional<double> parseSoftLimit(std::string_view limits, std::string_view row);
// btime of /proc/stat: the boot time in Unix seconds.
std::optional<double> parseBootTime(std::string_view procStat);

class ProcessMetrics final : public prometheus::Collectable {
 public:
  // `procDir`: "/proc/self" (or a test's fake); `procStatFile`: "/proc/stat".
  explicit ProcessMetrics(std::string procDir = "/proc/self", std::string procStatFile = "/proc/stat");

  // Series whose source cannot be read are left out of the scrape, as the
  // Go client does.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::string procDir_;
  const std::string procStatFile_;
};

}  // namespace irsa::server
