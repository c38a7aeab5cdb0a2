#pragma once
// A GitHub-flavoured Markdown table with aligned columns: the short summary
// each command prints and writes with --markdown.

#include <string>
#include <vector>

namespace irsa::bench {

class MarkdownTable {
 public:
  explicit MarkdownTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  // Missing cells are left empty, extra ones dropped.
  void addRow(std::vector<std::string> cells);
  std::string str() const;

  // `value` with `decimals` digits after the point.
  static std::string fixed(double value, int decimals);

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace irsa::bench
