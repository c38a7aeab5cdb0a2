#include "certs/DirectoryWatcher.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <set>

#include "certs/Pem.hpp"
#include "util/Log.hpp"

namespace irsa::certs {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Every event that can mean "the file's content may be different now",
// including the directory itself going away (IN_DELETE_SELF, IN_MOVE_SELF).
constexpr uint32_t kDirMask = IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                              IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
// A writer that never pauses still gets a reload after this many debounces.
constexpr int kMaxDebounceFactor = 10;
// Room for many events per read; one event is at most sizeof(inotify_event)+NAME_MAX+1.
constexpr std::size_t kReadBufferBytes = std::size_t{16} * 1024;

// What the poll compares: a new inode (atomic rename, ..data swap), size or mtime.
struct FileStamp {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  long long mtimeNs = 0;
  bool operator==(const FileStamp&) const = default;
};

struct WatchedDir {
  std::string path;
  std::set<std::string, std::less<>> names;  // basenames that matter in this dir
};

}  // namespace

struct DirectoryWatcher::State : std::enable_shared_from_this<State> {
  State(const boost::asio::strand<boost::asio::any_io_executor>& s, std::vector<std::string> f,
        std::function<void()> cb, std::chrono::milliseconds d)
      : strand(s),
        inotify(s),
        debounceTimer(s),
        pollTimer(s),
        files(std::move(f)),
        onChange(std::move(cb)),
        debounce(d) {}

  boost::asio::strand<boost::asio::any_io_executor> strand;
  boost::asio::posix::stream_descriptor inotify;
  boost::asio::steady_timer debounceTimer;
  boost::asio::steady_timer pollTimer;
  const std::vector<std::string> files;  // absolute, lexically normal
  const std::function<void()> onChange;
  const std::chrono::milliseconds debounce;
  bool watchAncestors = false;       // set in create() before the first handler
  std::atomic<bool> stopped{false};  // set from any thread; read on the strand

  // Everything below is only touched on `strand` (or in create() before the
  // first handler is posted).
  std::chrono::milliseconds pollInterval{kDefaultPollInterval};
  std::map<int, WatchedDir> watches;  // inotify wd -> directory
  std::vector<FileStamp> stamps;      // as of the last onChange
  bool pending = false;
  Clock::time_point firstPending{};
  uint64_t debounceGeneration = 0;  // stale timer completions compare unequal
  uint64_t pollGeneration = 0;
  alignas(inotify_event) std::array<char, kReadBufferBytes> buffer{};

  std::vector<FileStamp> takeStamps() const {
    std::vector<FileStamp> out;
    for (const auto& file : files) {
      struct stat st {};
      FileStamp stamp;
      if (::stat(file.c_str(), &st) == 0) {  // follows symlinks: the resolved target
        stamp = {true, st.st_dev, st.st_ino, st.st_size,
                 static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
      }
      out.push_back(stamp);
    }
    return out;
  }

  // The given file's directory (required) plus its resolved target's
  // directory, which may be a symlinked `..<timestamp>` dir that changes.
  // With watchAncestors, a missing directory is replaced by its nearest
  // existing ancestor, watched for the next path component; each time that
  // appears, fire() re-runs this and moves one level closer.
  util::Result<bool> refreshWatches(bool required) {
    std::map<std::string, std::set<std::string, std::less<>>> wanted;
    std::set<std::string> requiredDirs;
    for (const auto& file : files) {
      const fs::path path(file);
      fs::path dir = path.parent_path();
      std::string name = path.filename().string();
      std::error_code dirEc;
      while (watchAncestors && !fs::is_directory(dir, dirEc) && dir.has_relative_path()) {
        name = dir.filename().string();
        dir = dir.parent_path();
      }
      wanted[dir.string()].insert(name);
      requiredDirs.insert(dir.string());
      std::error_code ec;
      const fs::path target = fs::canonical(path, ec);
      if (!ec && target != path) wanted[target.parent_path().string()].insert(target.filename().string());
    }
    std::map<int, WatchedDir> next;
    for (auto& [dir, names] : wanted) {
      const int wd = ::inotify_add_watch(inotify.native_handle(), dir.c_str(), kDirMask);
      if (wd < 0) {
        const int err = errno;
        if (required && requiredDirs.count(dir) != 0) {
          return util::fail("watch " + dir + ": " + (err == ENOENT ? "no such directory" : errnoText(err)));
        }
        continue;  // gone for now; the poll re-tries
      }
      auto& entry = next[wd];  // two paths to one inode share a wd
      entry.path = dir;
      entry.names.insert(names.begin(), names.end());
    }
    for (const auto& [wd, dir] : watches) {
      if (next.count(wd) == 0) ::inotify_rm_watch(inotify.native_handle(), wd);
    }
    watches = std::move(next);
    return true;
  }

  bool relevant(const inotify_event& ev) {
    if ((ev.mask & IN_Q_OVERFLOW) != 0) return true;  // events were lost: assume the worst
    const auto it = watches.find(ev.wd);
    if (it == watches.end()) return false;  // a watch we already dropped
    if ((ev.mask & IN_IGNORED) != 0) {      // the directory itself went away
      watches.erase(it);
      return true;
    }
    if (ev.len == 0) return true;  // event on the directory itself
    const std::string_view name(ev.name, ::strnlen(ev.name, ev.len));
    // `..data`, `..data_tmp`, `..2026_…`: the kubelet's atomic writer.
    return name.starts_with("..") || it->second.names.count(name) != 0;
  }

  void startRead() {
    if (stopped) return;
    inotify.async_read_some(boost::asio::buffer(buffer),
                            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                              self->onRead(ec, n);
                            });
  }

  void onRead(const boost::system::error_code& ec, std::size_t n) {
    if (stopped || ec == boost::asio::error::operation_aborted) return;
    if (ec) {
      // The poll keeps covering us; don't spin on a broken descriptor.
      util::Log::warn("Reading file change events failed", {{"err", ec.message()}});
      return;
    }
    bool changed = false;
    for (std::size_t off = 0; off + sizeof(inotify_event) <= n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buffer.data() + off);
      changed = relevant(*ev) || changed;
      off += sizeof(inotify_event) + ev->len;
    }
    if (changed) schedule();
    startRead();
  }

  // Trailing debounce: each event pushes the deadline out, capped so a
  // continuous writer still triggers a call.
  void schedule() {
    const auto now = Clock::now();
    if (!pending) {
      pending = true;
      firstPending = now;
    }
    debounceTimer.expires_at(std::min(now + debounce, firstPending + debounce * kMaxDebounceFactor));
    const uint64_t generation = ++debounceGeneration;
    debounceTimer.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
      if (ec || generation != self->debounceGeneration || self->stopped) return;
      self->fire();
    });
  }

  void fire() {
    pending = false;
    (void)refreshWatches(false);  // follow a new `..data` target
    stamps = takeStamps();
    if (stopped) return;
    // Exceptions must not cross io_context::run().
    try {
      onChange();
    } catch (const std::exception& e) {
      util::Log::error("Handling a file change failed", {{"err", e.what()}});
    } catch (...) {
      util::Log::error("Handling a file change failed", {{"err", "unknown exception"}});
    }
  }

  void startPoll() {
    if (stopped || pollInterval.count() <= 0) return;
    pollTimer.expires_after(pollInterval);
    const uint64_t generation = ++pollGeneration;
    pollTimer.async_wait([self = shared_from_this(), generation](const boost::system::error_code& ec) {
      if (ec || generation != self->pollGeneration || self->stopped) return;
      self->onPoll();
    });
  }

  void onPoll() {
    (void)refreshWatches(false);  // re-arm a directory that came back
    if (takeStamps() != stamps) schedule();
    startPoll();
  }

  void shutdown() {
    boost::system::error_code ignored;
    debounceTimer.cancel();
    pollTimer.cancel();
    inotify.close(ignored);  // also drops every watch
    watches.clear();
  }
};

// By-value executor as in the agreed API; it is cheap to copy.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
util::Result<std::unique_ptr<DirectoryWatcher>> DirectoryWatcher::create(boost::asio::any_io_executor ex,
                                                                         std::vector<std::string> files,
                                                                         std::function<void()> onChange,
                                                                         std::chrono::milliseconds debounce,
                                                                         MissingDirectory missing) {
  if (files.empty()) return util::fail("watch: no files given");
  if (!onChange) return util::fail("watch: no callback given");
  if (debounce.count() < 0) return util::fail("watch: debounce must not be negative");
  for (auto& file : files) {
    std::error_code ec;
    const fs::path path = fs::absolute(file, ec).lexically_normal();
    if (ec || !path.has_filename()) return util::fail("watch " + file + ": not a file path");
    const fs::path dir = path.parent_path();
    if (missing == MissingDirectory::kFail && !fs::is_directory(dir, ec)) {
      return util::fail("watch " + dir.string() + ": no such directory");
    }
    file = path.string();
  }
  try {
    auto state = std::make_shared<State>(boost::asio::make_strand(ex), std::move(files), std::move(onChange),
                                         debounce);
    state->watchAncestors = missing == MissingDirectory::kWatchAncestor;
    const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return util::fail("inotify_init1: " + errnoText(errno));
    boost::system::error_code ec;
    state->inotify.assign(fd, ec);
    if (ec) {
      ::close(fd);
      return util::fail("inotify: " + ec.message());
    }
    // Events are queued by the kernel from here on, so nothing between now
    // and the first read is lost.
    if (auto r = state->refreshWatches(true); !r) return r.failure();
    state->stamps = state->takeStamps();
    boost::asio::post(state->strand, [state] {
      state->startRead();
      state->startPoll();
    });
    return std::make_unique<DirectoryWatcher>(Token{}, std::move(state));
  } catch (const std::exception& e) {
    return util::fail(std::string("watch: ") + e.what());
  }
}

DirectoryWatcher::DirectoryWatcher(Token, std::shared_ptr<State> state) : state_(std::move(state)) {}

DirectoryWatcher::~DirectoryWatcher() {
  stop();
}

void DirectoryWatcher::setPollInterval(std::chrono::milliseconds interval) {
  boost::asio::dispatch(state_->strand, [state = state_, interval] {
    state->pollInterval = interval;
    state->pollTimer.cancel();
    ++state->pollGeneration;  // a completion already queued is now stale
    state->startPoll();
  });
}

void DirectoryWatcher::stop() {
  if (state_->stopped.exchange(true)) return;
  boost::asio::dispatch(state_->strand, [state = state_] { state->shutdown(); });
}

}  // namespace irsa::certs
