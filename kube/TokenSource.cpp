#include "kube/TokenSource.hpp"

#include <sys/stat.h>

#include "util/Files.hpp"
#include "util/Log.hpp"

namespace irsa::kube {
namespace {

// A token file is a few KiB at most; anything larger is not a token.
constexpr std::size_t kMaxTokenBytes = std::size_t{64} * 1024;

std::string trim(std::string s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.back()))
    s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && space(s[start]))
    ++start;
  return s.substr(start);
}

}  // namespace

TokenSource::TokenSource(std::string staticToken, std::string tokenFile, std::chrono::milliseconds recheck)
    : staticToken_(std::move(staticToken)), tokenFile_(std::move(tokenFile)), recheck_(recheck) {}

TokenSource::Stamp TokenSource::statFile() const {
  struct stat st {};
  if (::stat(tokenFile_.c_str(), &st) != 0) return {};
  return Stamp{true, static_cast<long long>(st.st_ino), static_cast<long long>(st.st_size),
               static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

util::Result<std::string> TokenSource::readFile() const {
  auto text = util::readTextFile(tokenFile_, kMaxTokenBytes);
  if (!text) return text.failure().within("token file");
  std::string token = trim(std::move(*text));
  if (token.empty()) return util::fail("token file " + tokenFile_ + " is empty");
  return token;
}

util::Result<std::string> TokenSource::current() {
  if (tokenFile_.empty()) return staticToken_;
  const auto now = Clock::now();
  Stamp known;
  {
    std::lock_guard lock(mutex_);
    if (stamp_.valid && now < nextCheck_) return fileToken_;
    nextCheck_ = now + recheck_;
    known = stamp_;
  }
  // stat() and read outside the lock (STYLE.md rule 6). A small local file
  // (usually tmpfs) is read synchronously: there is nothing to wait for.
  const Stamp stamp = statFile();
  if (stamp.valid && stamp == known) {
    std::lock_guard lock(mutex_);
    return fileToken_;
  }
  auto token = readFile();
  std::lock_guard lock(mutex_);
  if (!token) {
    if (fileToken_.empty()) {
      if (!staticToken_.empty()) return staticToken_;
      return token.failure();
    }
    util::Log::warn("Service account token not re-read, keeping the last one", {{"err", token.error()}});
    return fileToken_;
  }
  fileToken_ = std::move(*token);
  stamp_ = stamp;
  return fileToken_;
}

std::optional<util::Result<Credential>> TokenSource::acquire(const boost::asio::any_io_executor&, Done) {
  auto token = current();
  if (!token) return util::Result<Credential>(token.failure());
  return util::Result<Credential>(Credential{std::move(*token), 0});
}

bool TokenSource::invalidate(const Credential& used) {
  if (tokenFile_.empty()) return false;  // a static token will not change
  const Stamp stamp = statFile();        // outside the lock, as in current()
  std::lock_guard lock(mutex_);
  nextCheck_ = Clock::time_point{};  // stat (and maybe re-read) on the next request
  // Retry only if the file already holds something else, e.g. a token that
  // was rotated between the last check and now.
  return stamp != stamp_ || fileToken_ != used.token;
}

}  // namespace irsa::kube
