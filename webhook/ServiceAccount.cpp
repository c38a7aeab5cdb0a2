#include "webhook/ServiceAccount.hpp"

#include <cstring>

namespace irsa::webhook {
namespace {

void appendSize(std::string& out, std::size_t size) {
  const auto n = static_cast<std::uint32_t>(size);
  out.append(reinterpret_cast<const char*>(&n), sizeof n);
}

std::uint32_t readSize(const char* at) {
  std::uint32_t n;
  std::memcpy(&n, at, sizeof n);
  return n;
}

}  // namespace

ServiceAccount::ServiceAccount(std::string_view ns, std::string_view name,
                               std::span<const Annotation> annotations)
    : nsSize_(static_cast<std::uint32_t>(ns.size())),
      keySize_(static_cast<std::uint32_t>(ns.size() + 1 + name.size())) {
  std::size_t total = keySize_;
  for (const auto& [k, v] : annotations)
    total += 2 * sizeof(std::uint32_t) + k.size() + v.size();
  data_.reserve(total);
  data_.append(ns).push_back('/');
  data_.append(name);
  for (const auto& [k, v] : annotations) {
    appendSize(data_, k.size());
    appendSize(data_, v.size());
    data_.append(k).append(v);
  }
}

template <class Visit>
void ServiceAccount::scan(Visit&& visit) const {
  const char* at = data_.data() + keySize_;
  const char* end = data_.data() + data_.size();
  while (at < end) {
    const std::uint32_t keySize = readSize(at);
    const std::uint32_t valueSize = readSize(at + sizeof(std::uint32_t));
    at += 2 * sizeof(std::uint32_t);
    if (visit(std::string_view(at, keySize), std::string_view(at + keySize, valueSize))) return;
    at += keySize + valueSize;
  }
}

std::optional<std::string_view> ServiceAccount::annotation(std::string_view key) const {
  std::optional<std::string_view> found;
  scan([&](std::string_view k, std::string_view v) {
    if (k != key) return false;
    found = v;
    return true;
  });
  return found;
}

std::vector<ServiceAccount::Annotation> ServiceAccount::annotations() const {
  std::vector<Annotation> out;
  scan([&](std::string_view k, std::string_view v) {
    out.emplace_back(k, v);
    return false;
  });
  return out;
}

}  // namespace irsa::webhook
