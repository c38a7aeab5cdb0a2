#pragma once
// Builds RapidJSON documents straight from yaml-cpp's parse events, with no
// YAML::Node tree in between. Limits are checked as each node opens, and
// aliases (`&a [*a]` included) are expanded under the value budget.
//
// yaml-cpp's handlers return nothing and it has no way to stop them short of
// an exception, so the first error is kept (status()) and every later event
// is ignored; YamlJson::parseYaml() stops after that document. yaml-cpp may
// go on parsing the rest of it: YamlDepthScan has bounded its nesting before,
// and yaml-cpp's own depth guard backs that up.
//
// Scalars are typed and keys spelled by YamlScalar; `<<` merge keys and
// later-wins duplicate keys behave as in go-yaml v2.

#include <rapidjson/document.h>
#include <yaml-cpp/anchor.h>
#include <yaml-cpp/emitterstyle.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/Result.hpp"

namespace irsa::yaml {

class YamlDocumentBuilder final : public YAML::EventHandler {
 public:
  // `text` is what yaml-cpp parses (for error messages); `budget` is how many
  // values all documents may expand to.
  YamlDocumentBuilder(std::string_view text, std::size_t budget)
      : text_(text), limit_(budget), budget_(budget) {}

  // The non-empty documents, in order.
  std::vector<rapidjson::Document> take() && { return std::move(docs_); }
  // The first error, if any; events after it were ignored.
  const util::Status& status() const { return status_; }
  bool failed() const { return !status_.ok(); }

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override;
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& text) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override;
  void OnSequenceEnd() override;
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override;
  void OnMapEnd() override;

 private:
  struct Item {
    rapidjson::Value value;
    std::size_t count;  // values in the subtree, for the budget
    int height;         // collection levels in the subtree
  };
  struct Level {
    std::size_t first;  // its first child in items_
    YAML::anchor_t anchor;
    YAML::Mark mark;
    bool map;
  };
  struct Anchored {
    rapidjson::Value value;
    std::size_t count = 0;
    int height = 0;
    bool done = false;
  };

  bool keep(util::Status status);  // records the first failure; false for one
  void fail(std::string message) { keep(util::fail(std::move(message))); }
  bool atKey() const;
  util::Status spend(std::size_t count);
  util::Status open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map);
  util::Status finish(rapidjson::Value value, std::size_t count, int height, YAML::anchor_t anchor);
  util::Status merge(rapidjson::Value& object, rapidjson::Value& source, const YAML::Mark& mark);

  util::Status status_ = util::okStatus();
  std::string_view text_;
  std::size_t limit_;
  std::size_t budget_;  // values still allowed
  bool started_ = false;
  std::size_t lastStart_ = 0;
  std::size_t documents_ = 0;
  rapidjson::Document doc_;
  std::vector<Item> items_;  // finished nodes whose parent is still open
  std::vector<Level> levels_;
  std::vector<Anchored> anchors_;  // by yaml-cpp anchor id, per document
  std::vector<rapidjson::Document> docs_;
};

}  // namespace irsa::yaml
