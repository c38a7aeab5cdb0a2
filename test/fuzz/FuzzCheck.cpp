#include "test/fuzz/FuzzCheck.hpp"

#include <fcntl.h>

#include "util/Log.hpp"

namespace irsa::fuzz {

void quietLogs(int verbosity) {
  util::LogOptions options;
  options.verbosity = verbosity;
  auto settings = util::parseLogOptions(options);
  check(settings.ok(), "log options parse");
  settings->stderrFd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  check(settings->stderrFd >= 0, "open /dev/null");
  check(util::Log::configure(*settings).ok(), "log configure");
}

}  // namespace irsa::fuzz
