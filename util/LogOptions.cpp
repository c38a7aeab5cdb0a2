#include "util/LogOptions.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <string_view>

namespace irsa::util {
namespace {

// strconv.ParseInt(s, 10, 32).
bool parseInt32(std::string_view s, int& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  long long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < INT_MIN || v > INT_MAX) return false;
  out = static_cast<int>(v);
  return true;
}

Error flagError(std::string_view value, std::string_view flag, std::string_view why) {
  return fail("invalid argument \"" + std::string(value) + "\" for \"--" + std::string(flag) +
              "\" flag: " + std::string(why));
}

// The file name klog matches -vmodule against: no directory, no extension.
std::string_view moduleName(std::string_view file) {
  if (const auto slash = file.rfind('/'); slash != std::string_view::npos) file.remove_prefix(slash + 1);
  if (const auto dot = file.rfind('.'); dot != std::string_view::npos && dot > 0) file = file.substr(0, dot);
  return file;
}

// The traceLocation syntax (file.go:234) klog insists on.
bool validBacktraceAt(std::string_view value) {
  if (value.empty()) return true;
  const auto colon = value.find(':');
  if (colon == std::string_view::npos || value.find(':', colon + 1) != std::string_view::npos) return false;
  int line = 0;
  return value.substr(0, colon).find('.') != std::string_view::npos &&
         parseInt32(value.substr(colon + 1), line) && line > 0;
}

}  // namespace

Result<LogSeverity> parseLogSeverity(const std::string& value) {
  std::string upper = value;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  static constexpr std::string_view kNames[] = {"INFO", "WARNING", "ERROR", "FATAL"};
  for (int i = 0; i < 4; ++i) {
    if (upper == kNames[i]) return static_cast<LogSeverity>(i);
  }
  int number = 0;
  if (parseInt32(value, number)) return static_cast<LogSeverity>(number);
  return fail("not a severity (INFO, WARNING, ERROR, FATAL or a number)");
}

Result<std::vector<VModuleRule>> parseVModule(const std::string& value) {
  std::vector<VModuleRule> rules;
  std::string_view rest = value;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;  // a trailing comma, as klog allows
    const auto eq = item.find('=');
    int level = 0;
    if (eq == std::string_view::npos || eq == 0 || item.find('=', eq + 1) != std::string_view::npos ||
        !parseInt32(item.substr(eq + 1), level)) {
      return fail("syntax error: expect comma-separated list of filename=N");
    }
    if (level < 0) return fail("negative value for vmodule level");
    if (level == 0) continue;  // klog drops these: they change nothing
    rules.push_back({std::string(item.substr(0, eq)), level});
  }
  return rules;
}

int vmoduleLevel(const std::vector<VModuleRule>& rules, const char* file) {
  const std::string name(moduleName(file));
  for (const auto& rule : rules) {
    if (::fnmatch(rule.pattern.c_str(), name.c_str(), 0) == 0) return rule.level;
  }
  return -1;
}

Result<LogSettings> parseLogOptions(const LogOptions& o) {
  LogSettings s;
  s.verbosity = o.verbosity;
  auto vmodule = parseVModule(o.vmodule);
  if (!vmodule) return flagError(o.vmodule, "vmodule", vmodule.error());
  s.vmodule = std::move(*vmodule);
  if (o.format == "text") {
    s.format = LogFormat::kText;
  } else if (o.format == "json") {
    s.format = LogFormat::kJson;
  } else {
    return flagError(o.format, "logging-format", "the formats are text and json");
  }
  auto threshold = parseLogSeverity(o.stderrThreshold);
  if (!threshold) return flagError(o.stderrThreshold, "stderrthreshold", threshold.error());
  s.stderrThreshold = *threshold;
  auto alsoThreshold = parseLogSeverity(o.alsoLogToStderrThreshold);
  if (!alsoThreshold)
    return flagError(o.alsoLogToStderrThreshold, "alsologtostderrthreshold", alsoThreshold.error());
  s.alsoLogToStderrThreshold = *alsoThreshold;
  if (!validBacktraceAt(o.logBacktraceAt)) {
    return flagError(o.logBacktraceAt, "log_backtrace_at", "syntax error: expect file.go:234");
  }
  if (o.logFileMaxSizeMb > UINT64_MAX / (1024 * 1024)) {
    return flagError(std::to_string(o.logFileMaxSizeMb), "log_file_max_size", "value out of range");
  }
  s.logToStderr = o.logToStderr;
  s.alsoLogToStderr = o.alsoLogToStderr;
  s.legacyStderrThresholdBehavior = o.legacyStderrThresholdBehavior;
  s.logDir = o.logDir;
  s.logFile = o.logFile;
  s.logFileMaxBytes = static_cast<std::uint64_t>(o.logFileMaxSizeMb) * 1024 * 1024;
  s.addDirHeader = o.addDirHeader;
  s.skipHeaders = o.skipHeaders;
  s.skipLogHeaders = o.skipLogHeaders;
  s.oneOutput = o.oneOutput;
  s.logBacktraceAt = o.logBacktraceAt;
  return s;
}

}  // namespace irsa::util
