#pragma once
// yaml-cpp's parser recurses per nesting level. This cheap scan rejects text
// whose flow brackets or block indentation obviously nest too deep before
// yaml-cpp sees it. It may undercount odd layouts; the exact check is in
// YamlDocumentBuilder, and yaml-cpp's own depth guard backs this up.

#include <string_view>

#include "util/Result.hpp"

namespace irsa::yaml {

class YamlDepthScan {
 public:
  // Fails for nesting deeper than YamlJson::kMaxDepth, and for a quoted
  // scalar that is never closed.
  static util::Status check(std::string_view text);
};

}  // namespace irsa::yaml
