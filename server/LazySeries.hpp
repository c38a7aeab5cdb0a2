#pragma once
// One series of a prometheus-cpp family, added to it on first use: the
// reference's vectors show a label combination only once it has been seen,
// and after the first use the series is one atomic load away (no label map
// built, no family lock taken on the request path).

#include <prometheus/family.h>

#include <atomic>
#include <utility>

namespace irsa::server {

template <typename T>
class LazySeries {
 public:
  // `labels()` builds the series' labels; called on first use only. `args`
  // are T's constructor arguments (a histogram's buckets, …).
  template <typename MakeLabels, typename... Args>
  T& get(prometheus::Family<T>& family, MakeLabels&& labels, Args&&... args) {
    T* metric = metric_.load(std::memory_order_acquire);
    if (metric == nullptr) {
      // Two threads may get here at once: Family::Add hands both the same
      // series, so storing it twice is harmless.
      metric = &family.Add(labels(), std::forward<Args>(args)...);
      metric_.store(metric, std::memory_order_release);
    }
    return *metric;
  }

  // Only if used already (for tests and scrapes).
  const T* peek() const { return metric_.load(std::memory_order_acquire); }

 private:
  std::atomic<T*> metric_{nullptr};
};

}  // namespace irsa::server
