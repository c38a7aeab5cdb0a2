#pragma once
// UTF-8 as Go's unicode/utf8 and encoding/json treat it, for the places that
// must keep text valid whatever bytes came in.

#include <cstddef>
#include <string>
#include <string_view>

namespace irsa::util {

// The length of the valid UTF-8 sequence at the start of `s` (Go's
// utf8.DecodeRuneInString: no overlong forms, surrogates or runes past
// U+10FFFF), or 0 when it does not start with one.
std::size_t utf8SequenceLength(std::string_view s);

// What Go's encoding/json decodes a string to where RapidJSON 1.1.0 leaves
// invalid UTF-8: it turns the \u escape of a lone low surrogate (DC00-DFFF)
// into the 3-byte encoding of the surrogate itself, where Go puts one U+FFFD.
// Other invalid bytes (which a validating parse never lets through) become
// one U+FFFD each.
std::string replaceInvalidUtf8(std::string_view s);

}  // namespace irsa::util
