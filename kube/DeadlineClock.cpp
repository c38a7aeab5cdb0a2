#include "kube/DeadlineClock.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace irsa::kube {

namespace net = boost::asio;

namespace {

// A steady_timer is not thread-safe: every use of it is posted to its strand,
// so arm() and cancel() keep their call order and need no lock.
class SteadyAlarm final : public Alarm {
 public:
  explicit SteadyAlarm(const net::any_io_executor& executor)
      : state_(std::make_shared<State>(net::make_strand(executor))) {}

  void arm(std::chrono::steady_clock::time_point deadline, std::function<void()> fire) override {
    net::post(state_->timer.get_executor(), [state = state_, deadline, fire = std::move(fire)]() mutable {
      if (state->cancelled) return;
      state->timer.expires_at(deadline);
      state->timer.async_wait([fire = std::move(fire)](const boost::system::error_code& ec) {
        if (!ec) fire();
      });
    });
  }

  void cancel() override {
    net::post(state_->timer.get_executor(), [state = state_] {
      state->cancelled = true;
      state->timer.cancel();
    });
  }

 private:
  // Shared with the posted handlers, so the alarm may go before they run;
  // once they have, the last owner's going destroys the timer, which cancels it.
  struct State {
    explicit State(const net::any_io_executor& strand) : timer(strand) {}
    net::steady_timer timer;
    bool cancelled{false};  // on the strand only
  };
  std::shared_ptr<State> state_;
};

class SteadyDeadlineClock final : public DeadlineClock {
 public:
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
  std::unique_ptr<Alarm> makeAlarm(net::any_io_executor executor) const override {
    return std::make_unique<SteadyAlarm>(executor);
  }
};

}  // namespace

const DeadlineClock& steadyDeadlineClock() {
  static const SteadyDeadlineClock clock;
  return clock;
}

}  // namespace irsa::kube
