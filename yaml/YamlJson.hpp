#pragma once
// YAML or JSON text -> RapidJSON documents, typed the way Kubernetes
// (sigs.k8s.io/yaml over go-yaml v2) types plain scalars, so a file that
// kubectl accepts means the same thing here. Notably `yes`/`no`/`on`/`off`
// stay strings, quoted scalars are always strings and `0755` is octal.
//
// Inputs are bounded: at most kMaxInputBytes, kMaxDepth levels of nesting and
// kMaxValues values after alias expansion, so hostile files fail with an
// error instead of exhausting the stack or memory. Nothing here throws.

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "util/Result.hpp"

namespace irsa::yaml {

class YamlJson {
 public:
  static constexpr std::size_t kMaxInputBytes = 16u * 1024u * 1024u;
  static constexpr int kMaxDepth = 64;
  // Bounds "billion laughs" alias expansion: a text may expand to at most
  // kBaseValues + kValuesPerByte * its size values, and never kMaxValues.
  // Without aliases a value needs at least half a byte, so only aliasing
  // can approach the budget.
  static constexpr std::size_t kBaseValues = 64u * 1024u;
  static constexpr std::size_t kValuesPerByte = 16;
  static constexpr std::size_t kMaxValues = 4u * 1024u * 1024u;

  // Every non-empty document of a multi-document YAML stream, or the single
  // JSON document when the text starts with `{` or `[`.
  static util::Result<std::vector<rapidjson::Document>> parseAll(std::string_view text);

  // Exactly one document, else "expected one document, found N".
  static util::Result<rapidjson::Document> parseOne(std::string_view text);

  // parseAll() on a file's contents; errors name the file.
  static util::Result<std::vector<rapidjson::Document>> readFile(const std::string& path);

  // "nesting deeper than 64 levels": one wording for the YAML and JSON paths.
  static std::string depthError();

 private:
  static util::Result<std::vector<rapidjson::Document>> parseJson(std::string_view text);
  static util::Result<std::vector<rapidjson::Document>> parseYaml(std::string_view text);
};

}  // namespace irsa::yaml
