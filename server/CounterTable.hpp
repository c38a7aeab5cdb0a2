#pragma once
// Counters of one family keyed by a small number (a status code, a verb and
// a code), each added to the family on first use. Lookups are lock-free
// probes of a fixed table; more distinct keys than it holds fall back to the
// family's own (locked) lookup, so nothing is ever lost.

#include <prometheus/counter.h>
#include <prometheus/family.h>

#include <array>
#include <atomic>
#include <cstdint>

#include "server/LazySeries.hpp"

namespace irsa::server {

class CounterTable {
 public:
  explicit CounterTable(prometheus::Family<prometheus::Counter>& family) : family_(family) {}

  // `key` must not be 0 (the empty slot). `labels()` is called on first use.
  template <typename MakeLabels>
  prometheus::Counter& get(std::uint32_t key, MakeLabels&& labels) {
    std::size_t i = (key * 2654435761u) & (kSlots - 1);
    for (std::size_t n = 0; n < kSlots; ++n, i = (i + 1) & (kSlots - 1)) {
      Slot& slot = slots_[i];
      std::uint32_t held = slot.key.load(std::memory_order_acquire);
      if (held == 0 && slot.key.compare_exchange_strong(held, key, std::memory_order_acq_rel)) held = key;
      if (held == key) return slot.series.get(family_, labels);
    }
    return family_.Add(labels());
  }

 private:
  static constexpr std::size_t kSlots = 64;  // a power of two
  struct Slot {
    std::atomic<std::uint32_t> key{0};
    LazySeries<prometheus::Counter> series;
  };
  prometheus::Family<prometheus::Counter>& family_;
  std::array<Slot, kSlots> slots_{};
};

}  // namespace irsa::server
