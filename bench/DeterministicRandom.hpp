#pragma once
// A seeded SplitMix64 generator with its own range reduction: the standard
// distributions are implementation-defined, and a corpus must be the same
// bytes for the same seed on every machine and library.

#include <cstdint>
#include <string>

namespace irsa::bench {

class DeterministicRandom {
 public:
  explicit DeterministicRandom(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [0, n); n > 0. The multiply-shift bias (< n / 2^64) is irrelevant here.
  std::uint64_t below(std::uint64_t n) {
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * n) >> 64);
  }

  // Uniform in [lo, hi].
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // True with probability percent / 100.
  bool percent(unsigned percent) { return below(100) < percent; }

  template <typename Container>
  const auto& pick(const Container& items) {
    return items[below(items.size())];
  }

  // `n` lowercase hex digits.
  std::string hex(std::size_t n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(n, '0');
    for (auto& c : out)
      c = kDigits[below(16)];
    return out;
  }

  // A random (version 4) UUID. Each part is drawn in its own statement: the
  // operands of a chain of `+` have no defined evaluation order.
  std::string uuid() {
    std::string out = hex(8);
    out += '-';
    out += hex(4);
    out += "-4";
    out += hex(3);
    out += '-';
    out += "89ab"[below(4)];
    out += hex(3);
    out += '-';
    out += hex(12);
    return out;
  }

  // `n` characters of [a-z0-9] (Kubernetes generated-name suffixes).
  std::string alnum(std::size_t n) {
    static constexpr char kChars[] = "bcdfghjklmnpqrstvwxz2456789";  // what Kubernetes uses
    std::string out(n, 'b');
    for (auto& c : out)
      c = kChars[below(sizeof(kChars) - 1)];
    return out;
  }

 private:
  std::uint64_t state_;
};

}  // namespace irsa::bench
