#pragma once
// A fresh directory under the system temp dir, removed with everything in it
// when the object goes away (tests are hermetic: nothing outlives them).

#include <filesystem>
#include <string>
#include <string_view>

namespace irsa::testsupport {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Writes `text` to `path` through a temporary name and a rename, so a
// watcher or reader never sees half a file.
void writeFileAtomically(const std::filesystem::path& path, std::string_view text);
// Truncates and rewrites `path` in place (what an editor without rename does).
void writeFileInPlace(const std::filesystem::path& path, std::string_view text);
std::string readFile(const std::filesystem::path& path);

}  // namespace irsa::testsupport
