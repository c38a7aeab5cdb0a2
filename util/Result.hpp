#pragma once
// A value or an error message: how fallible construction and parsing report
// failure without exceptions on the data path (STYLE.md, "Errors are values").

#include <string>
#include <utility>
#include <variant>

namespace irsa::util {

struct Error {
  std::string message;
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const std::string& error() const { return std::get<Error>(state_).message; }

 private:
  std::variant<T, Error> state_;
};

inline Error fail(std::string message) {
  return Error{std::move(message)};
}

// Success-or-error without a value.
using Status = Result<std::monostate>;
inline Status okStatus() {
  return std::monostate{};
}

}  // namespace irsa::util
