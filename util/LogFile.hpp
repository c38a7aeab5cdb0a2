#pragma once
// One klog log file: its header, its size limit (--log_file_max_size) and its
// rotation. Writers never wait for each other: the descriptor is an atomic
// shared pointer, and the one writer that crosses the limit opens the next
// file while the others keep appending to the current one.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::util {

class LogFile {
 public:
  struct Descriptor {
    int fd{-1};
    ~Descriptor();
  };
  // Opens the file: `startup` true for the first open (klog appends then;
  // later opens are rotations). Returns the descriptor and the header size.
  using Opener = std::function<Result<std::shared_ptr<Descriptor>>(bool startup, std::uint64_t& headerBytes)>;

  // `maxBytes` 0: never rotated.
  static Result<std::shared_ptr<LogFile>> open(Opener opener, std::uint64_t maxBytes);

  void write(std::string_view line);

 private:
  LogFile(Opener opener, std::uint64_t maxBytes) : opener_(std::move(opener)), maxBytes_(maxBytes) {}
  void rotate();

  Opener opener_;
  const std::uint64_t maxBytes_;
  std::atomic<std::shared_ptr<Descriptor>> current_;
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic_flag rotating_;
};

// The header klog writes at the top of each file (unless --skip_log_headers).
std::string logFileHeader(std::string_view binaryDescription);

}  // namespace irsa::util
