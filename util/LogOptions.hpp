#pragma once
// klog's logging flags as the command line gives them (LogOptions), and the
// checked form the logger runs with (LogSettings). Defaults are klog v2.140's.

#include <cstdint>
#include <string>
#include <vector>

#include "util/Result.hpp"

namespace irsa::util {

// klog's severities; a line of one severity also goes to the files of the
// lower ones (unless --one_output).
enum class LogSeverity { kInfo = 0, kWarning = 1, kError = 2, kFatal = 3 };

enum class LogFormat { kText, kJson };

struct LogOptions {
  int verbosity{0};                              // -v
  std::string vmodule;                           // pattern=N,…
  std::string format{"text"};                    // --logging-format
  bool logToStderr{true};                        // --logtostderr
  bool alsoLogToStderr{false};                   // --alsologtostderr
  std::string alsoLogToStderrThreshold{"INFO"};  // --alsologtostderrthreshold
  std::string stderrThreshold{"ERROR"};          // --stderrthreshold
  bool legacyStderrThresholdBehavior{true};      // --legacy_stderr_threshold_behavior
  std::string logDir;                            // --log_dir
  std::string logFile;                           // --log_file
  std::size_t logFileMaxSizeMb{1800};            // --log_file_max_size (0: unlimited)
  bool addDirHeader{false};                      // --add_dir_header
  bool skipHeaders{false};                       // --skip_headers
  bool skipLogHeaders{false};                    // --skip_log_headers
  bool oneOutput{false};                         // --one_output
  std::string logBacktraceAt;                    // --log_backtrace_at (accepted, no effect)
};

struct VModuleRule {
  std::string pattern;  // a file's base name without extension, or a glob of it
  int level{0};
};

struct LogSettings {
  int verbosity{0};
  std::vector<VModuleRule> vmodule;
  LogFormat format{LogFormat::kText};
  bool logToStderr{true};
  bool alsoLogToStderr{false};
  LogSeverity alsoLogToStderrThreshold{LogSeverity::kInfo};
  LogSeverity stderrThreshold{LogSeverity::kError};
  bool legacyStderrThresholdBehavior{true};
  std::string logDir;
  std::string logFile;
  std::uint64_t logFileMaxBytes{0};  // 0: unlimited
  bool addDirHeader{false};
  bool skipHeaders{false};
  bool skipLogHeaders{false};
  bool oneOutput{false};
  std::string logBacktraceAt;
  // Where "stderr" is (tests point it at a file) and what log files are named after.
  int stderrFd{2};
  std::string program{"irsa-webhook"};
  std::string binaryDescription{"irsa-webhook"};
};

// Checks the values the way klog's flag setters do; the error names the flag.
Result<LogSettings> parseLogOptions(const LogOptions& options);

// "INFO"/"WARNING"/"ERROR"/"FATAL" (any case) or a number, as klog's -stderrthreshold.
Result<LogSeverity> parseLogSeverity(const std::string& value);

// klog's -vmodule syntax: comma-separated pattern=N, N >= 0 (0 entries dropped).
Result<std::vector<VModuleRule>> parseVModule(const std::string& value);

// The level -vmodule gives a source file (full path), or -1 when no rule matches.
int vmoduleLevel(const std::vector<VModuleRule>& rules, const char* file);

}  // namespace irsa::util
