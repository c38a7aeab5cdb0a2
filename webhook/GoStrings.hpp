#pragma once
// Parsers that behave exactly like the Go standard library functions the
// reference webhook uses, so annotations mean the same thing in both.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/GoParse.hpp"

namespace irsa::webhook {

// strconv.ParseBool and time.ParseDuration live in util/ (util/GoParse.hpp),
// where the flag parser below webhook/ uses them too; named here as well so
// the annotation rules read them as the other Go parsers.
using util::goParseBool;
using util::goParseDuration;

// strconv.ParseInt(s, 10, 64): optional sign, decimal digits, no spaces.
std::optional<std::int64_t> goParseInt(std::string_view s);

// path.Clean on a slash-separated path.
std::string goCleanPath(std::string_view path);

// Whether encoding/json would decode the object key `key` into a struct
// field named `field` (ASCII): an exact match, or equal under Unicode simple
// case folding. Only ASCII letters and the two non-ASCII runes that fold to
// ASCII (U+212A KELVIN SIGN to 'k', U+017F LONG S to 's') can match an ASCII
// name, so that is all this folds.
bool goJsonKeyMatches(std::string_view key, std::string_view field);

// What encoding/json writes for a string: each byte that does not start a
// valid UTF-8 sequence becomes U+FFFD, so the JSON text stays valid UTF-8.
std::string goCoerceToValidUtf8(std::string_view s);

// encoding/csv Reader.Read of the first record; nullopt on a parse error.
std::optional<std::vector<std::string>> goReadCsvRecord(std::string_view s);

}  // namespace irsa::webhook
