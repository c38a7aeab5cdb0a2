// DirectoryWatcher: directory-level inotify, Kubernetes ..data swaps,
// debounce and the safety poll.

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "certs/DirectoryWatcher.hpp"
#include "test/support/IoPump.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::certs {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

void write(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class CertsWatcher : public ::testing::Test {
 protected:
  std::unique_ptr<DirectoryWatcher> watch(std::vector<std::string> files,
                                          std::chrono::milliseconds debounce = 50ms) {
    auto watcher = DirectoryWatcher::create(
        ioc_.get_executor(), std::move(files), [this] { ++calls_; }, debounce);
    EXPECT_TRUE(watcher.ok()) << watcher.error();
    return watcher.ok() ? std::move(watcher).value() : nullptr;
  }

  // The loop has the watch's pending read, so these wait rather than spin.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
    return testsupport::runUntil(ioc_, done, timeout);
  }
  void runFor(std::chrono::milliseconds window) { testsupport::runFor(ioc_, window); }

  // Declared first so it is destroyed last, after the watchers.
  boost::asio::io_context ioc_;
  testsupport::TempDir tmp_;
  int calls_ = 0;
};

TEST_F(CertsWatcher, FiresAfterAPlainRewriteOfAWatchedFile) {
  write(tmp_.file("tls.crt"), "v1");
  auto watcher = watch({tmp_.file("tls.crt")});
  ASSERT_NE(watcher, nullptr);
  runFor(20ms);  // settle: creation must not fire by itself
  EXPECT_EQ(calls_, 0);
  write(tmp_.file("tls.crt"), "v2");
  EXPECT_TRUE(runUntil([&] { return calls_ >= 1; }));
}

TEST_F(CertsWatcher, FiresAfterAKubernetesStyleAtomicUpdateAndKeepsFollowing) {
  // The kubelet's AtomicWriter layout: tls.crt -> ..data/tls.crt,
  // ..data -> ..<timestamp>, swapped by renaming a new symlink over ..data.
  fs::create_directory(tmp_.file("..2026_01_01_v1"));
  write(tmp_.file("..2026_01_01_v1/tls.crt"), "v1");
  fs::create_directory_symlink("..2026_01_01_v1", tmp_.file("..data"));
  fs::create_symlink("..data/tls.crt", tmp_.file("tls.crt"));
  auto watcher = watch({tmp_.file("tls.crt")});
  ASSERT_NE(watcher, nullptr);

  auto swapTo = [&](const std::string& version, const std::string& previous) {
    const std::string dir = "..2026_01_01_" + version;
    fs::create_directory(tmp_.file(dir));
    write(tmp_.file(dir + "/tls.crt"), version);
    fs::create_directory_symlink(dir, tmp_.file("..data_tmp"));
    fs::rename(tmp_.file("..data_tmp"), tmp_.file("..data"));
    fs::remove_all(tmp_.file("..2026_01_01_" + previous));
  };

  swapTo("v2", "v1");
  ASSERT_TRUE(runUntil([&] { return calls_ >= 1; }));
  EXPECT_EQ(read(tmp_.file("tls.crt")), "v2");

  const int afterFirst = calls_;
  swapTo("v3", "v2");
  ASSERT_TRUE(runUntil([&] { return calls_ > afterFirst; })) << "watch lost after the first swap";
  EXPECT_EQ(read(tmp_.file("tls.crt")), "v3");
}

TEST_F(CertsWatcher, CoalescesABurstOfWritesIntoOneCallback) {
  write(tmp_.file("tls.crt"), "v0");
  auto watcher = watch({tmp_.file("tls.crt")}, 200ms);
  ASSERT_NE(watcher, nullptr);
  // Ten writes spread over ~100 ms (well inside one debounce window), with the
  // loop running in between so each event is read separately.
  for (int i = 1; i <= 10; ++i) {
    write(tmp_.file("tls.crt"), "v" + std::to_string(i));
    ioc_.run_for(10ms);
  }
  ASSERT_TRUE(runUntil([&] { return calls_ >= 1; }));
  runFor(600ms);  // three more debounce windows: nothing else may arrive
  EXPECT_LE(calls_, 2);
  EXPECT_GE(calls_, 1);
}

TEST_F(CertsWatcher, IgnoresUnrelatedFilesInTheDirectory) {
  write(tmp_.file("tls.crt"), "v1");
  auto watcher = watch({tmp_.file("tls.crt")});
  ASSERT_NE(watcher, nullptr);
  write(tmp_.file("unrelated.txt"), "noise");
  runFor(300ms);
  EXPECT_EQ(calls_, 0);
  write(tmp_.file("tls.crt"), "v2");  // and the watch is still live
  EXPECT_TRUE(runUntil([&] { return calls_ >= 1; }));
}

TEST_F(CertsWatcher, SafetyPollCatchesAChangeInotifyCannotSee) {
  // A write through a hard link in an unwatched directory produces no event
  // in the watched one; only the (inode, size, mtime) poll can notice it.
  fs::create_directory(tmp_.file("watched"));
  fs::create_directory(tmp_.file("elsewhere"));
  write(tmp_.file("watched/tls.crt"), "v1");
  fs::create_hard_link(tmp_.file("watched/tls.crt"), tmp_.file("elsewhere/alias"));
  auto watcher = watch({tmp_.file("watched/tls.crt")});
  ASSERT_NE(watcher, nullptr);
  watcher->setPollInterval(0ms);
  write(tmp_.file("elsewhere/alias"), "v2 longer");
  runFor(300ms);
  ASSERT_EQ(calls_, 0) << "inotify saw the hard-link write; this test no longer isolates the poll";

  watcher->setPollInterval(50ms);
  EXPECT_TRUE(runUntil([&] { return calls_ >= 1; }));
}

TEST_F(CertsWatcher, StopPreventsFurtherCallbacks) {
  write(tmp_.file("tls.crt"), "v1");
  auto watcher = watch({tmp_.file("tls.crt")});
  ASSERT_NE(watcher, nullptr);
  write(tmp_.file("tls.crt"), "v2");
  watcher->stop();
  runFor(300ms);
  EXPECT_EQ(calls_, 0);
}

TEST_F(CertsWatcher, CreateOnAMissingDirectoryIsAnError) {
  auto watcher = DirectoryWatcher::create(ioc_.get_executor(), {tmp_.file("no-such-dir/tls.crt")}, [] {});
  ASSERT_FALSE(watcher.ok());
  EXPECT_NE(watcher.error().find("no such directory"), std::string::npos) << watcher.error();
}

TEST_F(CertsWatcher, WatchAncestorFollowsDirectoriesCreatedLaterWithoutThePoll) {
  const std::string file = tmp_.file("a/b/config.json");
  bool sawFile = false;
  auto created = DirectoryWatcher::create(
      ioc_.get_executor(), {file},
      [&] {
        ++calls_;
        sawFile = fs::exists(file);
      },
      20ms, DirectoryWatcher::MissingDirectory::kWatchAncestor);
  ASSERT_TRUE(created.ok()) << created.error();
  auto watcher = std::move(created).value();
  watcher->setPollInterval(0ms);  // inotify alone must get there
  runFor(50ms);
  EXPECT_EQ(calls_, 0);

  fs::create_directory(tmp_.file("a"));
  ASSERT_TRUE(runUntil([&] { return calls_ >= 1; }));
  fs::create_directory(tmp_.file("a/b"));
  ASSERT_TRUE(runUntil([&] { return calls_ >= 2; }));
  write(file, "{}");
  ASSERT_TRUE(runUntil([&] { return sawFile; }));

  const int before = calls_;
  fs::remove(file);
  ASSERT_TRUE(runUntil([&] { return calls_ > before && !sawFile; }));
  // The directories go away and come back: the watch climbs up and down again.
  fs::remove_all(tmp_.file("a"));
  runFor(100ms);
  fs::create_directories(tmp_.file("a/b"));
  write(file, "{}");
  EXPECT_TRUE(runUntil([&] { return sawFile; }));
}

}  // namespace
}  // namespace irsa::certs
