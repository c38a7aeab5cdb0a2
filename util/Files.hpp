#pragma once
// Whole-file reads and atomic writes, with one-line errors that name the file.

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::util {

// Fails for a missing/unreadable file or one larger than maxBytes.
Result<std::string> readTextFile(const std::string& path, std::size_t maxBytes = 64u * 1024u * 1024u);

// Writes `data` to a temporary file beside `path` (created 0600, then given
// `mode`), syncs it and renames it over `path`: a reader sees the old file or
// the whole new one, never a part. The temporary file is removed on failure.
Status writeFileAtomically(const std::filesystem::path& path, std::string_view data, mode_t mode);

// strerror(3) without its shared buffer, in the CLI's short lower-case
// style ("no such file", "permission denied").
std::string errnoText(int err);

// strerror(3)'s own text ("No such file or directory"), thread-safe: for the
// messages that have always quoted it.
std::string strerrorText(int err);

}  // namespace irsa::util
