#include "yaml/YamlDepthScan.hpp"

#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "yaml/YamlJson.hpp"

namespace irsa::yaml {
namespace {

constexpr auto kLimit = static_cast<std::size_t>(YamlJson::kMaxDepth);

// Where a line stands as its characters are read.
struct LineTokens {
  char last = 0;  // last significant character on this line
  bool lastOpened = false;
  bool spaced = true;
  bool blockIndicator = false;  // a `|`/`>` header so far
};

// The scan's state across lines: the open block indentation levels, the
// flow depth and an open quote. One line at a time, then finish().
class DepthScanner {
 public:
  util::Status line(std::string_view line);
  util::Status finish() const;

 private:
  util::Status tooDeep() const {
    return util::fail(YamlJson::depthError() + " at line " + std::to_string(lineNo_));
  }
  std::size_t openBlock(std::string_view line, std::size_t indent);
  static std::size_t skipIndicators(std::string_view line, std::size_t& i);
  util::Status scanTokens(std::string_view line, std::size_t i, std::size_t base, std::size_t indent);
  bool quoted(std::string_view line, std::size_t& i);
  util::Status token(char c, std::size_t base, LineTokens& t);

  std::vector<std::size_t> indents_;        // open block indentation levels
  std::optional<std::size_t> blockParent_;  // indentation of a `|`/`>` line
  std::size_t flow_ = 0;
  char quote_ = 0;
  std::size_t lineNo_ = 0;
  std::size_t quoteLine_ = 0;
};

util::Status DepthScanner::line(std::string_view line) {
  ++lineNo_;
  const std::size_t indent = line.find_first_not_of(' ');
  if (indent == std::string_view::npos || line[indent] == '\r') return util::okStatus();
  if (blockParent_ && indent > *blockParent_) return util::okStatus();  // block scalar text
  blockParent_.reset();

  std::size_t i = indent;
  std::size_t base = indents_.size();
  if (quote_ == 0 && flow_ == 0) {
    if (line[indent] == '#') return util::okStatus();
    i = openBlock(line, indent);
    const std::size_t dashes = skipIndicators(line, i);
    base = indents_.size() + (dashes > 0 ? dashes - 1 : 0);
    if (base > kLimit) return tooDeep();
  }
  return scanTokens(line, i, base, indent);
}

// A document marker closes every level; otherwise the line's indentation
// closes the deeper ones and may open one. Returns where its content starts.
std::size_t DepthScanner::openBlock(std::string_view line, std::size_t indent) {
  if (indent == 0 && (line.substr(0, 3) == "---" || line.substr(0, 3) == "...")) {
    indents_.clear();
    return 3;
  }
  while (!indents_.empty() && indents_.back() > indent)
    indents_.pop_back();
  if (indents_.empty() || indents_.back() < indent) indents_.push_back(indent);
  return indent;
}

// `- - - x` nests one sequence per dash on a single line (`?` likewise):
// counts them, moving `i` past them.
std::size_t DepthScanner::skipIndicators(std::string_view line, std::size_t& i) {
  std::size_t dashes = 0;
  while (i < line.size() && (line[i] == '-' || line[i] == '?') &&
         (i + 1 == line.size() || line[i + 1] == ' ')) {
    ++dashes;
    i = std::min(line.size(), line.find_first_not_of(' ', i + 1));
  }
  return dashes;
}

// The rest of the line from `i`: quotes, flow brackets and block scalar headers.
util::Status DepthScanner::scanTokens(std::string_view line, std::size_t i, std::size_t base,
                                      std::size_t indent) {
  LineTokens t;
  for (; i < line.size(); ++i) {
    if (quote_ != 0) {
      if (quoted(line, i)) {
        t.last = line[i];
        t.spaced = false;
      }
      continue;
    }
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      t.spaced = true;
      continue;
    }
    if (c == '#' && t.spaced) break;
    if (auto status = token(c, base, t); !status) return status;
  }
  if (t.blockIndicator && quote_ == 0) blockParent_ = indent;
  return util::okStatus();
}

// Inside a quoted scalar: consumes line[i] (and the character an escape or a
// doubled quote takes with it); true when it closes the quote.
bool DepthScanner::quoted(std::string_view line, std::size_t& i) {
  const char c = line[i];
  if (quote_ == '"') {
    if (c == '\\') {
      ++i;
      return false;
    }
  } else if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
    ++i;
    return false;
  }
  if (c != quote_) return false;
  quote_ = 0;
  return true;
}

// One significant character outside quotes.
util::Status DepthScanner::token(char c, std::size_t base, LineTokens& t) {
  const bool tokenStart = t.last == 0 || t.lastOpened || (flow_ > 0 && (t.last == ',' || t.last == ':')) ||
                          ((t.last == ':' || t.last == '-' || t.last == '?') && t.spaced);
  bool opened = false;
  if (tokenStart && (c == '"' || c == '\'')) {
    quote_ = c;
    quoteLine_ = lineNo_;
  } else if (tokenStart && (c == '[' || c == '{')) {
    opened = true;
    if (base + ++flow_ > kLimit) return tooDeep();
  } else if ((c == ']' || c == '}') && flow_ > 0) {
    --flow_;
  }
  if (tokenStart && flow_ == 0 && (c == '|' || c == '>')) {
    t.blockIndicator = true;
  } else if (t.blockIndicator && !(c == '-' || c == '+' || (c >= '0' && c <= '9'))) {
    t.blockIndicator = false;
  }
  t.last = c;
  t.lastOpened = opened;
  t.spaced = false;
  return util::okStatus();
}

// yaml-cpp quietly ends an unclosed quote at the end of the text, taking the
// keys after it into the string; go-yaml and kubectl reject it.
util::Status DepthScanner::finish() const {
  if (quote_ != 0) {
    return util::fail("invalid YAML at line " + std::to_string(quoteLine_) +
                      ": quoted scalar is never closed");
  }
  return util::okStatus();
}

}  // namespace

util::Status YamlDepthScan::check(std::string_view text) {
  DepthScanner scanner;
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    if (auto status = scanner.line(text.substr(pos, eol - pos)); !status) return status;
    pos = eol + 1;
  }
  return scanner.finish();
}

}  // namespace irsa::yaml
