#pragma once
// How Kubernetes (sigs.k8s.io/yaml over go-yaml v2) types a YAML scalar and
// spells a mapping key in JSON, so a file that kubectl accepts means the same
// thing here: `yes`/`on` are booleans, quoted scalars are strings, `0755` is
// octal, and a key `on` becomes "true".

#include <rapidjson/document.h>
#include <yaml-cpp/mark.h>

#include <string>

#include "util/Result.hpp"

namespace irsa::yaml {

class YamlScalar {
 public:
  using Alloc = rapidjson::Document::AllocatorType;

  // `tag` is "?" for plain scalars, "!" for quoted and block ones, else the
  // resolved tag, as yaml-cpp reports them. Fails when a core tag (`!!int`)
  // does not fit the text.
  static util::Status convert(const std::string& tag, const std::string& text, const YAML::Mark& mark,
                              rapidjson::Value& out, Alloc& alloc);

  // A mapping key as sigs.k8s.io/yaml spells it in JSON: typed like a value,
  // then written back (`on` -> "true", `0x10` -> "16"); null keys are refused.
  static util::Status toKey(rapidjson::Value& key, const YAML::Mark& mark, Alloc& alloc);

  // go-yaml lets a repeated mapping key overwrite the earlier one; so do we.
  static void keepLastDuplicate(rapidjson::Value& object);

  // " at line N" for error messages, or nothing when yaml-cpp has no position.
  static std::string atLine(const YAML::Mark& mark);
};

}  // namespace irsa::yaml
