#include "util/Files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace irsa::util {

namespace {

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string errnoText(int err) {
  switch (err) {
    case ENOENT:
      return "no such file";
    case EACCES:
      return "permission denied";
    case EISDIR:
      return "is a directory";
    default: {
      std::string msg = strerrorText(err);
      if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
      return msg;
    }
  }
}

std::string strerrorText(int err) {
  char buf[128];
  return ::strerror_r(err, buf, sizeof buf);  // GNU variant: returns the text (maybe not in buf)
}

Status writeFileAtomically(const std::filesystem::path& path, std::string_view data, mode_t mode) {
  // ".<name>.tmpXXXXXX" beside it: rename() is atomic only within one filesystem.
  std::string name = ".";
  name += path.filename().string();
  name += ".tmpXXXXXX";
  std::string tmp = (path.parent_path() / name).string();
  const auto failWith = [&](const char* what) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail(std::string(what) + " " + path.string() + ": " + errnoText(err));
  };
  FdCloser fd{::mkostemp(tmp.data(), O_CLOEXEC)};  // created 0600: a key is never world-readable
  if (fd.fd < 0) return fail("create " + tmp + ": " + errnoText(errno));
  if (::fchmod(fd.fd, mode) != 0) return failWith("chmod");
  for (std::size_t done = 0; done < data.size();) {
    const ssize_t n = ::write(fd.fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failWith("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.fd) != 0) return failWith("fsync");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return failWith("rename");
  return okStatus();
}

Result<std::string> readTextFile(const std::string& path, std::size_t maxBytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail("read " + path + ": " + strerrorText(errno));
  if (S_ISDIR(st.st_mode)) return fail("read " + path + ": is a directory");
  if (static_cast<std::size_t>(st.st_size) > maxBytes) {
    return fail("read " + path + ": larger than " + std::to_string(maxBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("read " + path + ": " + strerrorText(errno));
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return fail("read " + path + ": I/O error");
  return text;
}

}  // namespace irsa::util
