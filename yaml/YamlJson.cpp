#include "yaml/YamlJson.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <sstream>
#include <system_error>
#include <utility>

#include "util/DepthLimitedHandler.hpp"
#include "yaml/YamlDepthScan.hpp"
#include "yaml/YamlDocumentBuilder.hpp"
#include "yaml/YamlScalar.hpp"

namespace irsa::yaml {
namespace {

// keepLastDuplicate() on every object; recursion is bounded by kMaxDepth.
void keepLastDuplicates(rapidjson::Value& value) {
  if (value.IsObject()) {
    YamlScalar::keepLastDuplicate(value);
    for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) {
      keepLastDuplicates(m->value);
    }
  } else if (value.IsArray()) {
    for (auto& element : value.GetArray()) {
      keepLastDuplicates(element);
    }
  }
}

// yaml-cpp reports its errors by throwing: this is where they are caught.
// The builder's own first error, if any, is in builder.status().
util::Status runYamlCpp(std::string_view text, YamlDocumentBuilder& builder) {
  try {
    std::istringstream stream{std::string(text)};
    YAML::Parser parser(stream);
    while (!builder.failed() && parser.HandleNextDocument(builder)) {
    }
    return util::okStatus();
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return util::fail("invalid YAML: " + e.msg);
    return util::fail("invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                      std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {  // e.g. bad_alloc
    return util::fail(std::string("invalid YAML: ") + e.what());
  }
}

std::string lineColumn(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const auto line = std::count(before.begin(), before.end(), '\n') + 1;
  const std::size_t lineStart = before.rfind('\n');
  const std::size_t column = offset - (lineStart == std::string_view::npos ? 0 : lineStart + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

}  // namespace

std::string YamlJson::depthError() {
  return "nesting deeper than " + std::to_string(kMaxDepth) + " levels";
}

util::Result<std::vector<rapidjson::Document>> YamlJson::parseAll(std::string_view text) {
  if (text.size() > kMaxInputBytes) return util::fail("input larger than 16 MiB");
  // NUL is never valid here, and RapidJSON would take it as end of input.
  if (const auto nul = text.find('\0'); nul != std::string_view::npos) {
    return util::fail("NUL byte at " + lineColumn(text, nul));
  }
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) return parseJson(text);
  return parseYaml(text);
}

util::Result<rapidjson::Document> YamlJson::parseOne(std::string_view text) {
  auto docs = parseAll(text);
  if (!docs) return docs.failure();
  if (docs->size() != 1) return util::fail("expected one document, found " + std::to_string(docs->size()));
  return std::move(docs->front());
}

util::Result<std::vector<rapidjson::Document>> YamlJson::readFile(const std::string& path) {
  const auto readError = [&path](int err) {
    return util::fail("read " + path + ": " + std::error_code(err, std::generic_category()).message());
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) return readError(errno);
  std::string text;
  char buf[64 * 1024];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, file.get());
    text.append(buf, n);
    if (text.size() > kMaxInputBytes) return util::fail(path + ": larger than 16 MiB");
    if (n < sizeof buf) {
      if (std::ferror(file.get())) return readError(errno);
      break;
    }
  }
  auto docs = parseAll(text);
  if (!docs) return docs.failure().within(path);
  return docs;
}

util::Result<std::vector<rapidjson::Document>> YamlJson::parseJson(std::string_view text) {
  // Numbers as text, which the handler parses with full precision (it
  // steps around RapidJSON's undefined behaviour on a zero significand).
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
                              rapidjson::kParseValidateEncodingFlag;
  rapidjson::Document doc;
  rapidjson::MemoryStream stream(text.data(), text.size());
  const auto [result, tooDeep] =
      util::parseDepthLimited<kFlags>(doc, stream, static_cast<unsigned>(kMaxDepth));
  if (tooDeep) return util::fail(depthError() + " at " + lineColumn(text, result.Offset()));
  if (result.IsError()) {
    return util::fail("invalid JSON at " + lineColumn(text, result.Offset()) + ": " +
                      rapidjson::GetParseError_En(result.Code()));
  }
  keepLastDuplicates(doc);  // as Go's encoding/json does
  std::vector<rapidjson::Document> docs;
  docs.push_back(std::move(doc));
  return docs;
}

util::Result<std::vector<rapidjson::Document>> YamlJson::parseYaml(std::string_view text) {
  if (auto scan = YamlDepthScan::check(text); !scan) return scan.failure();
  YamlDocumentBuilder builder(text, std::min(kMaxValues, kBaseValues + kValuesPerByte * text.size()));
  const util::Status parsed = runYamlCpp(text, builder);
  // The builder's error came first: yaml-cpp may fail later in the document it went on parsing.
  if (builder.failed()) return builder.status().failure();
  if (!parsed) return parsed.failure();
  return std::move(builder).take();
}

}  // namespace irsa::yaml
