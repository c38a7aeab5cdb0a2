#pragma once
// The time a ServiceAccount lookup waits by: what "now" is, and alarms that
// fire at a deadline. Production uses the steady clock and Asio timers
// (steadyDeadlineClock()); tests substitute a manual clock
// (test/support/ManualDeadlineClock.hpp), so the race tests move time
// themselves instead of sleeping through real timeouts.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace irsa::kube {

// One deadline, armed at most once. arm() and cancel() may be called from any
// thread, in either order: a cancel() that comes first means the alarm never
// fires. `fire` runs at most once, on the alarm's executor, at or after the
// deadline (at once when the deadline has passed). Destroying the alarm
// cancels it. A cancel() racing a due alarm may lose: callers that must
// complete once keep their own flag.
class Alarm {
 public:
  virtual ~Alarm() = default;
  virtual void arm(std::chrono::steady_clock::time_point deadline, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
};

class DeadlineClock {
 public:
  virtual ~DeadlineClock() = default;
  virtual std::chrono::steady_clock::time_point now() const = 0;
  // An alarm whose `fire` runs on `executor` (on a strand of its own).
  virtual std::unique_ptr<Alarm> makeAlarm(boost::asio::any_io_executor executor) const = 0;
};

// std::chrono::steady_clock and boost::asio::steady_timer. Stateless; lives
// as long as the process.
const DeadlineClock& steadyDeadlineClock();

}  // namespace irsa::kube
