#include "util/Files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace irsa::util {

Result<std::string> readTextFile(const std::string& path, std::size_t maxBytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail("read " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail("read " + path + ": is a directory");
  if (static_cast<std::size_t>(st.st_size) > maxBytes) {
    return fail("read " + path + ": larger than " + std::to_string(maxBytes) + " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("read " + path + ": " + std::strerror(errno));
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return fail("read " + path + ": I/O error");
  return text;
}

}  // namespace irsa::util
