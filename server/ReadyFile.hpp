#pragma once
// `serve --ready-file PATH`: where a supervisor (a test, a script) learns the
// ports a `--port 0` run bound, without parsing the log.

#include <string>

#include "util/Result.hpp"

namespace irsa::server {

// Writes {"port":N,"metricsPort":M,"pid":P} to `path` atomically (a temporary
// file in the same directory, then rename), so a reader never sees half of it.
util::Status writeReadyFile(const std::string& path, unsigned short port, unsigned short metricsPort);

}  // namespace irsa::server
