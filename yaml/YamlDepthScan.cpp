#include "yaml/YamlDepthScan.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "yaml/YamlJson.hpp"

namespace irsa::yaml {

util::Status YamlDepthScan::check(std::string_view text) {
  const auto limit = static_cast<std::size_t>(YamlJson::kMaxDepth);
  std::vector<std::size_t> indents;        // open block indentation levels
  std::optional<std::size_t> blockParent;  // indentation of a `|`/`>` line
  std::size_t flow = 0;
  char quote = 0;
  std::size_t lineNo = 0, quoteLine = 0;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineNo;
    const std::size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '\r') continue;
    if (blockParent && indent > *blockParent) continue;  // block scalar text
    blockParent.reset();
    const auto tooDeep = [&] {
      return util::fail(YamlJson::depthError() + " at line " + std::to_string(lineNo));
    };

    std::size_t i = indent;
    std::size_t base = indents.size();
    if (quote == 0 && flow == 0) {
      if (line[indent] == '#') continue;
      if (indent == 0 && (line.substr(0, 3) == "---" || line.substr(0, 3) == "...")) {
        indents.clear();
        i = 3;
      } else {
        while (!indents.empty() && indents.back() > indent)
          indents.pop_back();
        if (indents.empty() || indents.back() < indent) indents.push_back(indent);
      }
      // `- - - x` nests one sequence per dash on a single line.
      std::size_t dashes = 0;
      while (i < line.size() && (line[i] == '-' || line[i] == '?') &&
             (i + 1 == line.size() || line[i + 1] == ' ')) {
        ++dashes;
        i = std::min(line.size(), line.find_first_not_of(' ', i + 1));
      }
      base = indents.size() + (dashes > 0 ? dashes - 1 : 0);
      if (base > limit) return tooDeep();
    }

    char last = 0;  // last significant character on this line
    bool lastOpened = false, spaced = true, blockIndicator = false;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (quote == '"') {
        if (c == '\\') {
          ++i;
        } else if (c == '"') {
          quote = 0;
          last = c;
          spaced = false;
        }
        continue;
      }
      if (quote == '\'') {
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
          ++i;
        } else if (c == '\'') {
          quote = 0;
          last = c;
          spaced = false;
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') {
        spaced = true;
        continue;
      }
      if (c == '#' && spaced) break;
      const bool tokenStart = last == 0 || lastOpened || (flow > 0 && (last == ',' || last == ':')) ||
                              ((last == ':' || last == '-' || last == '?') && spaced);
      bool opened = false;
      if (tokenStart && (c == '"' || c == '\'')) {
        quote = c;
        quoteLine = lineNo;
      } else if (tokenStart && (c == '[' || c == '{')) {
        opened = true;
        if (base + ++flow > limit) return tooDeep();
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      if (tokenStart && flow == 0 && (c == '|' || c == '>')) {
        blockIndicator = true;
      } else if (blockIndicator && !(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
        blockIndicator = false;
      }
      last = c;
      lastOpened = opened;
      spaced = false;
    }
    if (blockIndicator && quote == 0) blockParent = indent;
  }
  // yaml-cpp quietly ends an unclosed quote at the end of the text, taking the
  // keys after it into the string; go-yaml and kubectl reject it.
  if (quote != 0) {
    return util::fail("invalid YAML at line " + std::to_string(quoteLine) +
                      ": quoted scalar is never closed");
  }
  return util::okStatus();
}

}  // namespace irsa::yaml
