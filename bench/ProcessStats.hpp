#pragma once
// CPU time and memory of a process, from /proc (Linux): what --server-pid
// reads at the start and end of the measured window.

#include <cstdint>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::bench {

struct ProcessSample {
  double cpuSeconds{0};       // user + system, all threads
  std::uint64_t rssBytes{0};  // VmRSS
  std::uint64_t hwmBytes{0};  // VmHWM: peak RSS
};

util::Result<ProcessSample> sampleProcess(int pid);

// The user + system time of a /proc/PID/stat line, in seconds.
util::Result<double> cpuSecondsFromStat(std::string_view stat, long ticksPerSecond);
// A "Key:  123 kB" line of /proc/PID/status, in bytes; 0 when absent.
std::uint64_t statusBytes(std::string_view status, std::string_view key);
// This process's CPU time (all threads), from getrusage.
double selfCpuSeconds();

}  // namespace irsa::bench
