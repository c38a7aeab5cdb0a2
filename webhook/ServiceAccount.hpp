#pragma once
// The part of a ServiceAccount that mutation needs: its key and the
// annotations under `--annotation-prefix`. Nothing else is kept, and what is
// kept lives in one string, so a cache of 100k ServiceAccounts stays small.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irsa::webhook {

class ServiceAccount {
 public:
  // Full annotation key (e.g. "eks.amazonaws.com/role-arn") and value.
  using Annotation = std::pair<std::string_view, std::string_view>;

  ServiceAccount(std::string_view ns, std::string_view name, std::span<const Annotation> annotations = {});
  ServiceAccount(std::string_view ns, std::string_view name, std::initializer_list<Annotation> annotations)
      : ServiceAccount(ns, name, std::span<const Annotation>(annotations.begin(), annotations.size())) {}

  std::string_view ns() const { return std::string_view(data_).substr(0, nsSize_); }
  std::string_view name() const {
    return std::string_view(data_).substr(nsSize_ + 1, keySize_ - nsSize_ - 1);
  }
  // "namespace/name", the cache key; valid as long as this object.
  std::string_view key() const { return std::string_view(data_).substr(0, keySize_); }

  // The value of the annotation with this full key, if present.
  std::optional<std::string_view> annotation(std::string_view key) const;
  bool hasAnnotations() const { return data_.size() > keySize_; }
  // The annotations in their original order (views into this object).
  std::vector<Annotation> annotations() const;

  friend bool operator==(const ServiceAccount& a, const ServiceAccount& b) { return a.data_ == b.data_; }

 private:
  // Visits each annotation until `visit` returns true.
  template <class Visit>
  void scan(Visit&& visit) const;

  // "ns/name", then per annotation: key size and value size (4 bytes each,
  // native order), key, value. Exactly sized: no slack per ServiceAccount.
  std::string data_;
  std::uint32_t nsSize_{0};
  std::uint32_t keySize_{0};
};

}  // namespace irsa::webhook
