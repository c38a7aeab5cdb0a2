// util/Files: whole-file reads, and the atomic write behind `dev-cert` and
// `serve --ready-file`.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>

#include "test/support/TempDir.hpp"
#include "util/Files.hpp"

namespace irsa::util {
namespace {

namespace fs = std::filesystem;

unsigned modeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777u;
}

TEST(UtilFilesTest, AnAtomicWriteReplacesTheFileWithTheModeAndLeavesNoTemporary) {
  testsupport::TempDir dir;
  const fs::path path = dir.path() / "tls.key";
  testsupport::writeFileInPlace(path, "old contents, longer than the new");
  ASSERT_TRUE(writeFileAtomically(path, "new", 0600).ok());
  EXPECT_EQ(testsupport::readFile(path), "new");
  EXPECT_EQ(modeOf(path), 0600u);
  ASSERT_TRUE(writeFileAtomically(path, "public", 0644).ok());
  EXPECT_EQ(modeOf(path), 0644u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator{}), 1);
}

TEST(UtilFilesTest, AnAtomicWriteIntoAMissingDirectoryFailsNamingTheFile) {
  testsupport::TempDir dir;
  const fs::path path = dir.path() / "absent" / "ready.json";
  auto written = writeFileAtomically(path, "{}", 0644);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().rfind("create " + (dir.path() / "absent" / ".ready.json.tmp").string(), 0), 0u)
      << written.error();
  EXPECT_NE(written.error().find(": no such file"), std::string::npos) << written.error();
}

TEST(UtilFilesTest, ReadTextFileRefusesDirectoriesAndOversizedFiles) {
  testsupport::TempDir dir;
  EXPECT_EQ(readTextFile(dir.path().string()).error(), "read " + dir.path().string() + ": is a directory");
  const fs::path big = dir.path() / "big";
  testsupport::writeFileInPlace(big, "12345");
  EXPECT_EQ(readTextFile(big.string(), 4).error(), "read " + big.string() + ": larger than 4 bytes");
  EXPECT_EQ(readTextFile(big.string(), 5).value(), "12345");
}

TEST(UtilFilesTest, ErrnoTextIsShortAndLowerCase) {
  EXPECT_EQ(errnoText(ENOENT), "no such file");
  EXPECT_EQ(errnoText(EACCES), "permission denied");
  EXPECT_EQ(errnoText(ENOSPC), "no space left on device");
}

}  // namespace
}  // namespace irsa::util
