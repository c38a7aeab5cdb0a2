#pragma once
// A value or an error: how fallible construction and parsing report failure
// without exceptions on the data path (STYLE.md, "Errors are values"). The
// message is for people; what a caller acts on is the code, never the text.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace irsa::util {

enum class ErrorCode {
  kFailed,       // nothing for a caller to act on but reporting it
  kHttpStatus,   // a server answered with a status the caller did not expect (Error::httpStatus)
  kRateLimited,  // the client-side rate limit refused a request that must not queue
  kUnreachable,  // no answer at all: resolving, connecting, sending or reading failed or timed out
};

struct Error {
  std::string message;
  ErrorCode code{ErrorCode::kFailed};
  int httpStatus{0};  // with kHttpStatus

  // The same error, its message prefixed with "<where>: ".
  Error within(std::string_view where) const {
    Error copy = *this;
    copy.message.insert(0, std::string(where) + ": ");
    return copy;
  }
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

  const std::string& error() const { return failure().message; }
  // The whole error, to pass on with its code: `return r.failure();`.
  const Error& failure() const& { return std::get<Error>(state_); }
  Error failure() && { return std::get<Error>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

inline Error fail(std::string message) {
  return Error{std::move(message), ErrorCode::kFailed, 0};
}
inline Error fail(ErrorCode code, std::string message) {
  return Error{std::move(message), code, 0};
}
// A server's unexpected status, e.g. 410 Gone for an expired resourceVersion.
inline Error httpFailure(int status, std::string message) {
  return Error{std::move(message), ErrorCode::kHttpStatus, status};
}

// Success-or-error without a value.
using Status = Result<std::monostate>;
inline Status okStatus() {
  return std::monostate{};
}

}  // namespace irsa::util
