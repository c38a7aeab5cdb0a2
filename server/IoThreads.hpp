#pragma once
// How many I/O threads `serve --threads 0` runs: one per CPU the process may
// run on. std::thread::hardware_concurrency() counts every online CPU, so a
// webhook under `taskset`, a cpuset cgroup or a pinned static pod ran more
// threads than it had cores and paid for the context switches; Go's runtime
// (the reference) sizes GOMAXPROCS from the same affinity mask.

namespace irsa::server {

// The CPUs of this process's affinity mask; hardware_concurrency() when the
// mask cannot be read; never less than 1.
int defaultIoThreads();

}  // namespace irsa::server
