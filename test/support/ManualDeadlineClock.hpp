#pragma once
// A kube::DeadlineClock whose time moves only when the test says so. Alarms
// that come due on advance() post their `fire` to their executor, so the test
// runs them by pumping its io_context, as it would real timer completions.
// It must outlive the alarms' users (declare it before the object under test);
// it holds the fire handlers of alarms not yet due, as an io_context holds a
// timer's. Thread-safe, though the tests drive it from one thread.

#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "kube/DeadlineClock.hpp"

namespace irsa::testsupport {

class ManualDeadlineClock final : public kube::DeadlineClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Starts at the real steady time, so deadlines look like the server's.
  ManualDeadlineClock() : now_(std::chrono::steady_clock::now()) {}
  ~ManualDeadlineClock() override {
    std::vector<Armed> dropped;  // their handlers may own alarms: freed unlocked
    std::lock_guard lock(mutex_);
    closing_ = true;
    dropped.swap(pending_);
  }

  TimePoint now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }

  std::unique_ptr<kube::Alarm> makeAlarm(boost::asio::any_io_executor executor) const override {
    return std::make_unique<ManualAlarm>(const_cast<ManualDeadlineClock&>(*this), std::move(executor));
  }

  // Moves time forward and posts the fire handler of every alarm now due.
  void advance(std::chrono::steady_clock::duration step) {
    std::vector<Armed> due;
    {
      std::lock_guard lock(mutex_);
      now_ += step;
      takeIf(due, [&](const Armed& a) { return a.deadline <= now_; });
    }
    for (auto& a : due)
      boost::asio::post(a.executor, std::move(a.fire));
  }

  // Alarms armed and neither due nor cancelled.
  std::size_t pendingAlarms() const {
    std::lock_guard lock(mutex_);
    return pending_.size();
  }

 private:
  class ManualAlarm;
  struct Armed {
    const ManualAlarm* owner;
    boost::asio::any_io_executor executor;
    TimePoint deadline;
    std::function<void()> fire;
  };

  class ManualAlarm final : public kube::Alarm {
   public:
    ManualAlarm(ManualDeadlineClock& clock, boost::asio::any_io_executor executor)
        : clock_(clock), executor_(std::move(executor)) {}
    ~ManualAlarm() override { cancel(); }
    void arm(TimePoint deadline, std::function<void()> fire) override {
      clock_.arm(*this, deadline, std::move(fire));
    }
    void cancel() override { clock_.cancel(*this); }

   private:
    friend class ManualDeadlineClock;
    ManualDeadlineClock& clock_;
    const boost::asio::any_io_executor executor_;
    bool armed_{false};      // guarded by the clock's mutex
    bool cancelled_{false};  // guarded by the clock's mutex
  };

  // Moves the pending alarms that match out to `out` (caller holds mutex_).
  template <typename Predicate>
  void takeIf(std::vector<Armed>& out, Predicate match) {
    auto keep = pending_.begin();
    for (auto& a : pending_) {
      if (match(a)) {
        out.push_back(std::move(a));
      } else {
        *keep++ = std::move(a);
      }
    }
    pending_.erase(keep, pending_.end());
  }

  void arm(ManualAlarm& alarm, TimePoint deadline, std::function<void()> fire) {
    std::lock_guard lock(mutex_);
    if (closing_ || alarm.cancelled_ || alarm.armed_) return;  // cancelled first, or armed already
    alarm.armed_ = true;
    if (deadline <= now_) {
      boost::asio::post(alarm.executor_, std::move(fire));  // due already, like a timer
      return;
    }
    pending_.push_back(Armed{&alarm, alarm.executor_, deadline, std::move(fire)});
  }

  void cancel(ManualAlarm& alarm) {
    std::vector<Armed> dropped;  // freed after the lock is released
    std::lock_guard lock(mutex_);
    alarm.cancelled_ = true;
    if (!closing_) takeIf(dropped, [&](const Armed& a) { return a.owner == &alarm; });
  }

  mutable std::mutex mutex_;
  TimePoint now_;
  bool closing_{false};         // guarded by mutex_
  std::vector<Armed> pending_;  // guarded by mutex_
};

}  // namespace irsa::testsupport
