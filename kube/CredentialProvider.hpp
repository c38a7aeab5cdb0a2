#pragma once
// Where KubeApiClient's bearer token comes from: a static token or a token
// file (TokenSource), or a kubeconfig exec plugin (ExecCredentialProvider).
// Requests ask for the credential before they connect; one that is at hand
// is returned at once, otherwise the request is queued until the provider
// has one (a plugin runs on a thread of its own, never on an I/O thread).
// A 401 from the API server invalidates the credential the request used.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "util/Result.hpp"

namespace irsa::kube {

struct Credential {
  std::string token;            // "" sends no Authorization header
  std::uint64_t generation{0};  // which fetch produced it, for invalidate()
};

class CredentialProvider {
 public:
  using Done = std::function<void(util::Result<Credential>)>;

  virtual ~CredentialProvider() = default;

  // The credential for a request. When it is at hand, returns it (or the
  // error) and never calls `done`; otherwise returns nullopt and later posts
  // `done` to `executor` exactly once. Thread-safe.
  virtual std::optional<util::Result<Credential>> acquire(const boost::asio::any_io_executor& executor,
                                                          Done done) = 0;

  // The API server answered 401 to a request sent with `used`: forget it
  // (unless a newer one replaced it already). True when asking again may
  // give a different credential, so one retry is worth it. Thread-safe.
  virtual bool invalidate(const Credential& used) = 0;
};

}  // namespace irsa::kube
