#pragma once
// Runs the built binary (IRSA_BINARY) as a user would: arguments, an
// optional stdin, and stdout/stderr captured through files in a scratch
// directory (files, not pipes, so a large output cannot deadlock a test).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace irsa::testsupport {

struct CliResult {
  int exitCode{-1};  // 128 + signal when killed; -1 when it could not be run
  std::string out;
  std::string err;
};

// `scratch` holds the stdin/stdout/stderr files; stdin is /dev/null unless given.
CliResult runCli(const std::filesystem::path& scratch, const std::vector<std::string>& args,
                 const std::optional<std::string>& stdinText = std::nullopt);

}  // namespace irsa::testsupport
