#pragma once
// Whole-file reads with one-line errors that name the file.

#include <cstddef>
#include <string>

#include "util/Result.hpp"

namespace irsa::util {

// Fails for a missing/unreadable file or one larger than maxBytes.
Result<std::string> readTextFile(const std::string& path, std::size_t maxBytes = 64u * 1024u * 1024u);

}  // namespace irsa::util
