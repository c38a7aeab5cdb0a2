#pragma once
// Applies an RFC 6902 JSON Patch (add, remove, replace, test) to a document.
// Used by `mutate --output pod` and by the tests, which compare pods by
// meaning: patch applied, then compared.

#include <rapidjson/document.h>

#include "util/Result.hpp"

namespace irsa::webhook {

util::Status applyJsonPatch(rapidjson::Document& doc, const rapidjson::Value& operations);

}  // namespace irsa::webhook
