#pragma once
// The bearer token for each request: a static token, or a token file that is
// re-read when it changes (bound ServiceAccount tokens rotate about hourly).
// As in client-go, the last token read from the file wins over the static
// one, and a failed re-read keeps the previous token. Tokens are never logged.
// A 401 makes the next request re-read the file at once.

#include <chrono>
#include <mutex>
#include <string>

#include "kube/CredentialProvider.hpp"
#include "util/Result.hpp"

namespace irsa::kube {

class TokenSource final : public CredentialProvider {
 public:
  using Clock = std::chrono::steady_clock;

  // `recheck`: how often at most the file is stat()ed; zero checks on every call.
  TokenSource(std::string staticToken, std::string tokenFile, std::chrono::milliseconds recheck);

  // The token to send ("" for none). Fails only when the file has never
  // been read successfully. Thread-safe; the file is read outside the lock.
  util::Result<std::string> current();

  // CredentialProvider: always at hand (a small local file is read inline).
  std::optional<util::Result<Credential>> acquire(const boost::asio::any_io_executor& executor,
                                                  Done done) override;
  bool invalidate(const Credential& used) override;

 private:
  struct Stamp {
    bool valid = false;
    long long ino = 0;
    long long size = 0;
    long long mtimeNs = 0;
    bool operator==(const Stamp&) const = default;
  };
  Stamp statFile() const;
  util::Result<std::string> readFile() const;

  const std::string staticToken_;
  const std::string tokenFile_;
  const std::chrono::milliseconds recheck_;

  std::mutex mutex_;
  std::string fileToken_;        // guarded by mutex_; last good read of tokenFile_
  Stamp stamp_;                  // guarded by mutex_; the file as of fileToken_
  Clock::time_point nextCheck_;  // guarded by mutex_
};

}  // namespace irsa::kube
