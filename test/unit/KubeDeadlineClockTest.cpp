// The steady DeadlineClock's alarms: what ServiceAccountCache relies on when
// it arms a lookup's deadline and cancels it on an earlier answer.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "kube/DeadlineClock.hpp"

namespace irsa::kube {
namespace {

using namespace std::chrono_literals;

TEST(KubeDeadlineClockTest, APassedDeadlineFiresOnceOnTheExecutor) {
  boost::asio::io_context io;
  const DeadlineClock& clock = steadyDeadlineClock();
  auto alarm = clock.makeAlarm(io.get_executor());
  int fired = 0;
  alarm->arm(clock.now() - 1ms, [&] { ++fired; });
  EXPECT_EQ(fired, 0) << "fire must not run inside arm()";
  io.run();  // returns once nothing is left: the alarm is done
  EXPECT_EQ(fired, 1);
}

TEST(KubeDeadlineClockTest, CancelAfterArmLeavesNothingPending) {
  boost::asio::io_context io;
  const DeadlineClock& clock = steadyDeadlineClock();
  auto alarm = clock.makeAlarm(io.get_executor());
  int fired = 0;
  alarm->arm(clock.now() + 1h, [&] { ++fired; });
  alarm->cancel();
  // run() would wait an hour for an armed timer: returning proves the cancel.
  io.run();
  EXPECT_EQ(fired, 0);
}

TEST(KubeDeadlineClockTest, CancelBeforeArmMeansItNeverFires) {
  boost::asio::io_context io;
  const DeadlineClock& clock = steadyDeadlineClock();
  auto alarm = clock.makeAlarm(io.get_executor());
  int fired = 0;
  alarm->cancel();  // an answer that came before the alarm was armed
  alarm->arm(clock.now() - 1ms, [&] { ++fired; });
  io.run();
  EXPECT_EQ(fired, 0);
}

TEST(KubeDeadlineClockTest, DestroyingAnArmedAlarmCancelsIt) {
  boost::asio::io_context io;
  const DeadlineClock& clock = steadyDeadlineClock();
  int fired = 0;
  {
    auto alarm = clock.makeAlarm(io.get_executor());
    alarm->arm(clock.now() + 1h, [&] { ++fired; });
  }
  io.run();  // returns at once: nothing is left armed
  EXPECT_EQ(fired, 0);
}

}  // namespace
}  // namespace irsa::kube
