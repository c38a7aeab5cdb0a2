#pragma once
// Runs a caller's completion callback on an I/O thread. Whatever it throws is
// logged and stopped here: exceptions never cross io_context::run() (STYLE.md
// rule 4), where they would take the whole server down.

#include <exception>
#include <string>
#include <utility>

#include "util/Log.hpp"

namespace irsa::kube {

// `target` names the request in the log (the API path).
template <class Callback>
void runGuardedCallback(const std::string& target, Callback&& callback) noexcept {
  try {
    std::forward<Callback>(callback)();
  } catch (const std::exception& e) {
    util::Log::error("API client callback failed", {{"target", target}, {"err", e.what()}});
  } catch (...) {
    util::Log::error("API client callback failed", {{"target", target}});
  }
}

}  // namespace irsa::kube
