#include "yaml/YamlDocumentBuilder.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <utility>

#include "yaml/YamlJson.hpp"
#include "yaml/YamlScalar.hpp"

namespace irsa::yaml {

bool YamlDocumentBuilder::keep(util::Status status) {
  if (status) return true;
  if (!failed()) status_ = std::move(status);
  return false;
}

void YamlDocumentBuilder::OnDocumentStart(const YAML::Mark& mark) {
  if (failed()) return;
  // yaml-cpp 0.7 reports the same empty document forever on a stray `,`
  // (jbeder/yaml-cpp#1040): every document must start past the last one.
  const auto pos = static_cast<std::size_t>(std::max(mark.pos, 0));
  if (started_ && pos <= lastStart_) {
    return fail("invalid YAML at line " + std::to_string(mark.line + 1) + ", column " +
                std::to_string(mark.column + 1) + ": unexpected '" +
                std::string(text_.substr(std::min(pos, text_.size()), 1)) + "'");
  }
  // A backstop for any other such loop: a document takes at least a byte.
  if (++documents_ > text_.size() + 1) return fail("invalid YAML: more documents than bytes");
  started_ = true;
  lastStart_ = pos;
  items_.clear();
  levels_.clear();
  anchors_.clear();
  doc_ = rapidjson::Document();
}

void YamlDocumentBuilder::OnDocumentEnd() {
  if (failed()) return;
  if (items_.size() != 1 || items_.front().value.IsNull()) return;  // empty documents are skipped
  static_cast<rapidjson::Value&>(doc_) = items_.front().value;      // moves
  items_.clear();
  docs_.push_back(std::move(doc_));
}

void YamlDocumentBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  if (failed()) return;
  if (atKey()) return fail("mapping key" + YamlScalar::atLine(mark) + " is null");
  keep(finish(rapidjson::Value(), 1, 0, anchor));
}

void YamlDocumentBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                                   const std::string& text) {
  if (failed()) return;
  const bool key = atKey();
  if (key && tag == "?" && text == "<<") {
    items_.push_back(Item{rapidjson::Value(), 0, 0});  // a null key marks a merge
    return;
  }
  rapidjson::Value value;
  if (!keep(YamlScalar::convert(tag, text, mark, value, doc_.GetAllocator()))) return;
  if (key && !keep(YamlScalar::toKey(value, mark, doc_.GetAllocator()))) return;
  keep(finish(std::move(value), 1, 0, anchor));
}

void YamlDocumentBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  if (failed()) return;
  if (anchor >= anchors_.size() || !anchors_[anchor].done) {
    return fail("alias" + YamlScalar::atLine(mark) + " refers to a node that contains it");
  }
  const Anchored& target = anchors_[anchor];
  if (levels_.size() + static_cast<std::size_t>(target.height) > YamlJson::kMaxDepth) {
    return fail(YamlJson::depthError() + YamlScalar::atLine(mark));
  }
  if (!keep(spend(target.count))) return;
  rapidjson::Value copy(target.value, doc_.GetAllocator());  // recursion bounded by kMaxDepth
  if (atKey() && !keep(YamlScalar::toKey(copy, mark, doc_.GetAllocator()))) return;
  items_.push_back(Item{std::move(copy), target.count, target.height});
}

void YamlDocumentBuilder::OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                                          YAML::EmitterStyle::value) {
  if (failed()) return;
  keep(open(mark, anchor, false));
}

void YamlDocumentBuilder::OnSequenceEnd() {
  if (failed()) return;
  const Level level = levels_.back();
  levels_.pop_back();
  rapidjson::Value array(rapidjson::kArrayType);
  array.Reserve(static_cast<rapidjson::SizeType>(items_.size() - level.first), doc_.GetAllocator());
  std::size_t count = 1;
  int height = 0;
  for (std::size_t i = level.first; i < items_.size(); ++i) {
    count += items_[i].count;
    height = std::max(height, items_[i].height);
    array.PushBack(items_[i].value, doc_.GetAllocator());
  }
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(level.first), items_.end());
  keep(finish(std::move(array), count, height + 1, level.anchor));
}

void YamlDocumentBuilder::OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                                     YAML::EmitterStyle::value) {
  if (failed()) return;
  keep(open(mark, anchor, true));
}

void YamlDocumentBuilder::OnMapEnd() {
  if (failed()) return;
  const Level level = levels_.back();
  levels_.pop_back();
  rapidjson::Value object(rapidjson::kObjectType);
  std::size_t count = 1;
  int height = 0;
  for (std::size_t i = level.first; i + 1 < items_.size(); i += 2) {
    Item& key = items_[i];
    Item& value = items_[i + 1];
    count += key.count + value.count;
    height = std::max(height, value.height);
    if (key.value.IsNull()) {
      if (!keep(merge(object, value.value, level.mark))) return;
    } else {
      object.AddMember(key.value, value.value, doc_.GetAllocator());
    }
  }
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(level.first), items_.end());
  YamlScalar::keepLastDuplicate(object);
  keep(finish(std::move(object), count, height + 1, level.anchor));
}

// Whether the next node is a mapping key: maps alternate key and value.
bool YamlDocumentBuilder::atKey() const {
  return !levels_.empty() && levels_.back().map && (items_.size() - levels_.back().first) % 2 == 0;
}

util::Status YamlDocumentBuilder::spend(std::size_t count) {
  if (count > budget_) {
    return util::fail("document expands to too many values (more than " + std::to_string(limit_) +
                      "; aliases?)");
  }
  budget_ -= count;
  return util::okStatus();
}

util::Status YamlDocumentBuilder::open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
  if (atKey()) return util::fail("mapping key" + YamlScalar::atLine(mark) + " is not a string");
  if (levels_.size() >= static_cast<std::size_t>(YamlJson::kMaxDepth)) {
    return util::fail(YamlJson::depthError() + YamlScalar::atLine(mark));
  }
  if (anchor != YAML::NullAnchor && anchor >= anchors_.size()) anchors_.resize(anchor + 1);
  levels_.push_back(Level{items_.size(), anchor, mark, map});
  return util::okStatus();
}

util::Status YamlDocumentBuilder::finish(rapidjson::Value value, std::size_t count, int height,
                                         YAML::anchor_t anchor) {
  if (auto spent = spend(1); !spent) return spent;
  if (anchor != YAML::NullAnchor) {
    if (anchor >= anchors_.size()) anchors_.resize(anchor + 1);
    anchors_[anchor] = Anchored{rapidjson::Value(value, doc_.GetAllocator()), count, height, true};
  }
  items_.push_back(Item{std::move(value), count, height});
  return util::okStatus();
}

// `<<: *base` or `<<: [*a, *b]`: the sources' entries are added where the
// key stands, so keys after it override them (later wins) and, as in
// go-yaml v2, an earlier source beats a later one.
util::Status YamlDocumentBuilder::merge(rapidjson::Value& object, rapidjson::Value& source,
                                        const YAML::Mark& mark) {
  const bool list = source.IsArray();
  for (rapidjson::SizeType i = 0; i < (list ? source.Size() : 1); ++i) {
    if (!(list ? source[i] : source).IsObject()) {
      return util::fail("merge key `<<`" + YamlScalar::atLine(mark) + " needs a map or a list of maps");
    }
  }
  for (rapidjson::SizeType i = list ? source.Size() : 1; i-- > 0;) {
    rapidjson::Value& map = list ? source[i] : source;
    for (auto m = map.MemberBegin(); m != map.MemberEnd(); ++m) {
      object.AddMember(m->name, m->value, doc_.GetAllocator());
    }
  }
  return util::okStatus();
}

}  // namespace irsa::yaml
