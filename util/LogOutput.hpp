#pragma once
// Where a formatted line goes, with klog's rules: stderr only (--logtostderr,
// the default), or log files (--log_file, else one file per severity in
// --log_dir) plus stderr for lines at or above a threshold. Each line is one
// write(2) on an O_APPEND descriptor: lines stay whole across threads, and no
// lock is held while writing.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/LogOptions.hpp"
#include "util/Result.hpp"

namespace irsa::util {

class LogFile;

class LogOutput {
 public:
  // Opens the files the settings name (all of them, so a bad --log_dir fails
  // the start instead of the first warning).
  static Result<std::unique_ptr<LogOutput>> create(const LogSettings& settings);
  ~LogOutput();

  void write(LogSeverity severity, std::string_view line) const;

 private:
  explicit LogOutput(const LogSettings& settings);
  bool toStderr(LogSeverity severity) const;

  LogSettings settings_;
  // --log_file: one file for every severity; --log_dir: one per severity.
  std::array<std::shared_ptr<LogFile>, 4> files_;
};

// Writes all of `data` to `fd` (retrying short writes and EINTR).
void writeAll(int fd, std::string_view data);

}  // namespace irsa::util
