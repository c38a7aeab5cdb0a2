#include "cli/KlogFlags.hpp"

namespace irsa::cli {

void addKlogFlags(util::FlagSet& f, util::LogOptions& o) {
  f.addInt("v", &o.verbosity, "log verbosity (klog's -v: 3 logs every mutation, 4 debug details)");
  f.alias("verbosity", "v");
  f.addString("vmodule", &o.vmodule,
              "comma-separated pattern=N: log verbosity N for the source files whose base name (no "
              "extension) matches the glob pattern");
  f.addString("logging-format", &o.format, "log format: text (klog's) or json (Kubernetes' JSON lines)");
  f.addBool("logtostderr", &o.logToStderr, "log to stderr only, not to files");
  f.addBool("alsologtostderr", &o.alsoLogToStderr,
            "with --logtostderr=false: also log to stderr the lines at or above --alsologtostderrthreshold");
  f.addString("alsologtostderrthreshold", &o.alsoLogToStderrThreshold,
              "with --alsologtostderr: lowest severity also written to stderr (INFO, WARNING, ERROR, FATAL)");
  f.addString("stderrthreshold", &o.stderrThreshold,
              "lowest severity written to stderr when logging to files; with --logtostderr only when "
              "--legacy_stderr_threshold_behavior=false");
  f.addBool("legacy_stderr_threshold_behavior", &o.legacyStderrThresholdBehavior,
            "klog's old rule: --stderrthreshold is ignored while --logtostderr is true");
  f.addString("log_dir", &o.logDir,
              "with --logtostderr=false: write one log file per severity in this directory (default $TMPDIR "
              "or /tmp)");
  f.addString("log_file", &o.logFile, "with --logtostderr=false: write every line to this one file instead");
  f.addSize(
      "log_file_max_size", &o.logFileMaxSizeMb,
      "size in MB at which a log file starts over (--log_file is truncated, --log_dir gets a new file); "
      "0: no limit");
  f.addBool("add_dir_header", &o.addDirHeader,
            "name the source file with its directory in each line's header");
  f.addBool("skip_headers", &o.skipHeaders, "omit the header (severity, time, pid, source) of each line");
  f.addBool("skip_log_headers", &o.skipLogHeaders, "omit the lines klog writes at the top of a new log file");
  f.addBool("one_output", &o.oneOutput,
            "with --log_dir: write a line only to its severity's file, not also to the lower ones");
  f.addString("log_backtrace_at", &o.logBacktraceAt, "");
  f.markNoEffect("log_backtrace_at", "stack traces of a log call site are not available in this build");
}

}  // namespace irsa::cli
