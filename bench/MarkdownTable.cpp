#include "bench/MarkdownTable.hpp"

#include <algorithm>
#include <cstdio>

namespace irsa::bench {

void MarkdownTable::addRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string MarkdownTable::str() const {
  std::vector<std::size_t> width(headers_.size(), 3);
  for (std::size_t i = 0; i < headers_.size(); ++i)
    width[i] = std::max(width[i], headers_[i].size());
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string out = "|";
    for (std::size_t i = 0; i < cells.size(); ++i) {
      out += " " + cells[i] + std::string(width[i] - cells[i].size(), ' ') + " |";
    }
    return out + "\n";
  };
  std::string out = line(headers_);
  out += "|";
  for (std::size_t w : width)
    out += std::string(w + 2, '-') + "|";
  out += "\n";
  for (const auto& row : rows_)
    out += line(row);
  return out;
}

std::string MarkdownTable::fixed(double value, int decimals) {
  char text[64];
  const int n = std::snprintf(text, sizeof(text), "%.*f", decimals, value);
  return n < 0 ? std::string()
               : std::string(text, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof(text) - 1));
}

}  // namespace irsa::bench
