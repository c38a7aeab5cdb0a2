#pragma once
// How much longer the tests wait, in this build, before they call something
// hung: the limits of pollUntil (and the process waits built on it), runUntil
// and TestClient are guards, never measurements (no test asserts on time), so
// a build that runs slower stretches them by this factor. ThreadSanitizer runs
// the Debug build 5-15 times slower than Release, and a CPU shared with other
// builds slows it more; what the tests assert stays the same.

#include <chrono>

namespace irsa::testsupport {

#if defined(__SANITIZE_THREAD__)
inline constexpr int kSlowdown = 10;
#else
inline constexpr int kSlowdown = 1;
#endif

// `limit` as the guard of this build: kSlowdown times longer.
constexpr std::chrono::milliseconds guard(std::chrono::milliseconds limit) {
  return limit * kSlowdown;
}

}  // namespace irsa::testsupport
