// Integration: `serve --threads 0` runs one I/O thread per CPU of its
// affinity mask (what it inherits from `taskset` or a cpuset), not one per
// online CPU; the "Webhook started" line reports the count.
#include <gtest/gtest.h>
#include <sched.h>

#include <string>

#include "test/support/TestServer.hpp"

namespace irsa::testsupport {
namespace {

// Restricts this test process (and so the server it forks) to `mask`; puts
// the original mask back when it goes away.
class AffinityGuard {
 public:
  AffinityGuard() {
    CPU_ZERO(&original_);
    ok_ = sched_getaffinity(0, sizeof original_, &original_) == 0;
  }
  ~AffinityGuard() {
    if (ok_) sched_setaffinity(0, sizeof original_, &original_);
  }
  AffinityGuard(const AffinityGuard&) = delete;
  AffinityGuard& operator=(const AffinityGuard&) = delete;

  bool ok() const { return ok_; }
  const cpu_set_t& original() const { return original_; }
  // Only the first CPU of the original mask.
  bool pinToOne() {
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &original_)) {
        CPU_SET(cpu, &one);
        return sched_setaffinity(0, sizeof one, &one) == 0;
      }
    }
    return false;
  }

 private:
  cpu_set_t original_{};
  bool ok_{false};
};

std::string startedThreads() {
  TestServer::Options options;
  options.extraArgs = {"--threads", "0"};  // the last --threads wins over TestServer's
  auto server = TestServer::start(options);
  if (!server) return "no server";
  const auto line = server->process().waitForLog("Webhook started", std::chrono::seconds(10));
  return line ? logField(*line, "threads") : "no started line: " + server->process().stderrText();
}

TEST(ServerThreadsTest, ZeroMeansOnePerCpuOfTheAffinityMask) {
  AffinityGuard guard;
  ASSERT_TRUE(guard.ok());
  EXPECT_EQ(startedThreads(), std::to_string(CPU_COUNT(&guard.original())));
}

TEST(ServerThreadsTest, PinnedToOneCpuRunsOneThread) {
  AffinityGuard guard;
  ASSERT_TRUE(guard.ok());
  ASSERT_TRUE(guard.pinToOne());
  EXPECT_EQ(startedThreads(), "1");
}

}  // namespace
}  // namespace irsa::testsupport
