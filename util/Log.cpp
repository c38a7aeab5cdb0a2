#include "util/Log.hpp"

#include <unistd.h>

#include <atomic>
#include <memory>

#include "util/LogFormat.hpp"
#include "util/LogOutput.hpp"

namespace irsa::util {
namespace {

struct LogState {
  LogSettings settings;
  std::unique_ptr<LogOutput> output;
  TextFormat text;
};

std::shared_ptr<const LogState> makeState(LogSettings settings, std::unique_ptr<LogOutput> output) {
  auto state = std::make_shared<LogState>();
  state->text = {settings.skipHeaders, settings.addDirHeader, static_cast<int>(::getpid())};
  state->settings = std::move(settings);
  state->output = std::move(output);
  return state;
}

// Until configure(): klog's defaults (text, everything to stderr, -v 0).
std::shared_ptr<const LogState> defaultState() {
  static const auto state = [] {
    LogSettings settings;
    return makeState(settings, LogOutput::create(settings).value());
  }();
  return state;
}

std::atomic<std::shared_ptr<const LogState>> g_state;
// Copies of the settings the V check needs, so a disabled V line costs one load.
std::atomic<int> g_verbosity{0};
std::atomic<bool> g_hasVModule{false};

std::shared_ptr<const LogState> current() {
  auto state = g_state.load(std::memory_order_acquire);
  return state ? state : defaultState();
}

}  // namespace

Status Log::configure(const LogSettings& settings) {
  auto output = LogOutput::create(settings);
  if (!output) return output.failure();
  g_state.store(makeState(settings, std::move(*output)), std::memory_order_release);
  g_verbosity.store(settings.verbosity, std::memory_order_relaxed);
  g_hasVModule.store(!settings.vmodule.empty(), std::memory_order_relaxed);
  return okStatus();
}

bool Log::enabled(int level, std::source_location where) {
  if (level <= g_verbosity.load(std::memory_order_relaxed)) return true;
  if (!g_hasVModule.load(std::memory_order_relaxed)) return false;
  // klog: a file that -vmodule names gets its level instead of -v's.
  const auto state = current();
  const int moduleLevel = vmoduleLevel(state->settings.vmodule, where.file_name());
  return moduleLevel >= 0 ? level <= moduleLevel : level <= state->settings.verbosity;
}

void Log::write(LogSeverity severity, int level, std::string_view msg, Fields fields,
                const std::source_location& where) {
  const auto state = current();
  const LogRecord record{severity,
                         level,
                         msg,
                         fields,
                         where.file_name(),
                         static_cast<unsigned>(where.line()),
                         std::chrono::system_clock::now()};
  thread_local std::string line;
  line.clear();
  if (state->settings.format == LogFormat::kJson) {
    formatJson(line, record);
  } else {
    formatText(line, record, state->text);
  }
  state->output->write(severity, line);
}

}  // namespace irsa::util
