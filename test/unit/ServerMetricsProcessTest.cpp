// process_* series as the Go client's process collector defines them, from
// this test process's own /proc, and the /proc parsers on fixed text.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <sstream>

#include "server/Metrics.hpp"
#include "server/ProcessMetrics.hpp"

namespace irsa::server {
namespace {

TEST(ServerMetricsProcessTest, StatLineFieldsAfterTheCommand) {
  // The command may hold spaces and parentheses.
  const std::string line =
      "4242 (irsa (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 12345 104857600 2560 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n";
  auto stat = parseProcStat(line);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->utimeTicks, 250);
  EXPECT_EQ(stat->stimeTicks, 50);
  EXPECT_EQ(stat->startTicks, 12345);
  EXPECT_EQ(stat->vsizeBytes, 104857600);
  EXPECT_EQ(stat->rssPages, 2560);
  EXPECT_FALSE(parseProcStat("4242 (short) S 1 2 3"));
  EXPECT_FALSE(parseProcStat("no parenthesis"));
}

TEST(ServerMetricsProcessTest, SoftLimitsAndBootTime) {
  const std::string limits =
      "Limit                     Soft Limit           Hard Limit           Units     \n"
      "Max open files            1024                 1048576              files     \n"
      "Max address space         unlimited            unlimited            bytes     \n";
  EXPECT_EQ(parseSoftLimit(limits, "Max open files"), 1024.0);
  // The Go client reports "unlimited" as the largest uint64.
  EXPECT_EQ(parseSoftLimit(limits, "Max address space"), 18446744073709551615.0);
  EXPECT_FALSE(parseSoftLimit(limits, "Max processes"));
  EXPECT_EQ(parseBootTime("cpu  1 2 3\nbtime 1764650000\nprocesses 9\n"), 1764650000.0);
  EXPECT_FALSE(parseBootTime("cpu  1 2 3\n"));
}

TEST(ServerMetricsProcessTest, ScrapeHasEveryProcessSeriesWithPlausibleValues) {
  Metrics metrics;
  std::map<std::string, double> values;
  std::map<std::string, std::string> types;
  std::istringstream in(metrics.render());
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      const auto space = line.find(' ', 7);
      types[line.substr(7, space - 7)] = line.substr(space + 1);
    } else if (!line.empty() && line[0] != '#') {
      values[line.substr(0, line.rfind(' '))] = std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_virtual_memory_bytes", "process_virtual_memory_max_bytes",
                           "process_start_time_seconds", "process_open_fds", "process_max_fds"}) {
    EXPECT_TRUE(values.count(name)) << name;
    EXPECT_EQ(types[name], std::string(name) == "process_cpu_seconds_total" ? "counter" : "gauge") << name;
  }
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GE(values["process_cpu_seconds_total"], 0);
  EXPECT_GT(values["process_resident_memory_bytes"], 1 << 20);
  EXPECT_GT(values["process_virtual_memory_bytes"], values["process_resident_memory_bytes"]);
  EXPECT_LE(values["process_start_time_seconds"], now + 1);
  EXPECT_GT(values["process_start_time_seconds"], now - 3600);
  EXPECT_GE(values["process_open_fds"], 3);  // stdin, stdout, stderr
  EXPECT_LE(values["process_open_fds"], values["process_max_fds"]);
}

TEST(ServerMetricsProcessTest, UnreadableSourcesLeaveTheirSeriesOut) {
  ProcessMetrics process("/nonexistent/proc", "/nonexistent/stat");
  EXPECT_TRUE(process.Collect().empty());
}

}  // namespace
}  // namespace irsa::server
