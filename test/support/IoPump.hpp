#pragma once
// Pumping an io_context from a test thread: until a condition holds (with a
// limit, never a fixed sleep), until nothing is ready, or for a span (to show
// that something does NOT happen).

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "test/support/Slowdown.hpp"

namespace irsa::testsupport {

// Pumps `io` in small steps until `done()` holds or `limit` (a guard:
// Slowdown.hpp) passes; false on timeout. The caller keeps a work guard so
// run_for() waits rather than spins.
template <typename Predicate>
bool runUntil(boost::asio::io_context& io, Predicate done,
              std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + guard(limit);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    io.run_for(std::chrono::milliseconds(2));
    if (io.stopped()) io.restart();
  }
  return true;
}

// Runs everything that is ready now (no timers that are not yet due).
inline void drain(boost::asio::io_context& io) {
  while (io.poll() > 0) {
  }
  if (io.stopped()) io.restart();
}

// Keeps pumping for `span`: to show that something does NOT happen.
inline void runFor(boost::asio::io_context& io, std::chrono::milliseconds span) {
  const auto until = std::chrono::steady_clock::now() + span;
  while (std::chrono::steady_clock::now() < until) {
    io.run_until(until);
    if (io.stopped()) io.restart();
  }
}

}  // namespace irsa::testsupport
