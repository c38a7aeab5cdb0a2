// webhook/Json: parsing with a depth limit, strict UTF-8 and no trailing
// data, plus the in-place variant used on the request path.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "webhook/Json.hpp"

using irsa::webhook::kDefaultMaxJsonDepth;
using irsa::webhook::parseJson;
using irsa::webhook::parseJsonInsitu;

namespace {

std::string nestedArrays(unsigned depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

std::string nestedObjects(unsigned depth) {
  std::string s;
  for (unsigned i = 0; i + 1 < depth; ++i)
    s += "{\"a\":";
  s += "{}";
  s += std::string(depth - 1, '}');
  return s;
}

TEST(WebhookJson, ParsesAValidDocument) {
  rapidjson::Document doc;
  auto status = parseJson(doc, R"({"a":[1,"two",true,null,{"b":2.5}]})", kDefaultMaxJsonDepth);
  ASSERT_TRUE(status.ok()) << status.error();
  ASSERT_TRUE(doc.IsObject());
  ASSERT_TRUE(doc["a"].IsArray());
  EXPECT_EQ(doc["a"].Size(), 5u);
  EXPECT_STREQ(doc["a"][1].GetString(), "two");
  EXPECT_DOUBLE_EQ(doc["a"][4]["b"].GetDouble(), 2.5);
}

TEST(WebhookJson, AllowsTrailingWhitespace) {
  rapidjson::Document doc;
  EXPECT_TRUE(parseJson(doc, "{} \n\t\r ", kDefaultMaxJsonDepth).ok());
  EXPECT_TRUE(doc.IsObject());
}

TEST(WebhookJson, RejectsTrailingGarbage) {
  for (const char* text : {"{} x", "{}{}", "[1] ]", "1 2", "{}\n,"}) {
    rapidjson::Document doc;
    auto status = parseJson(doc, text, kDefaultMaxJsonDepth);
    ASSERT_FALSE(status.ok()) << text;
    EXPECT_NE(status.error().find("after the value"), std::string::npos) << status.error();
    EXPECT_TRUE(doc.IsNull()) << text;
  }
}

TEST(WebhookJson, RejectsATrailingNulByte) {
  rapidjson::Document doc;
  EXPECT_FALSE(parseJson(doc, std::string("{}\0", 3), kDefaultMaxJsonDepth).ok());
}

TEST(WebhookJson, RejectsEmptyAndMalformedInput) {
  for (const char* text : {"", "   ", "{", "{\"a\"}", "[1,]", "nul", "'a'"}) {
    rapidjson::Document doc;
    auto status = parseJson(doc, text, kDefaultMaxJsonDepth);
    EXPECT_FALSE(status.ok()) << '"' << text << '"';
    EXPECT_TRUE(doc.IsNull()) << text;
  }
}

TEST(WebhookJson, RejectsInvalidUtf8InStrings) {
  const std::vector<std::string> bad = {
      "\"\xff\"",          // never valid
      "\"\xc3\"",          // truncated two-byte sequence
      "\"\xc0\xaf\"",      // overlong "/"
      "\"\xed\xa0\x80\"",  // UTF-16 surrogate encoded as UTF-8
      "{\"k\xfe\":1}",     // in a key
  };
  for (const auto& text : bad) {
    rapidjson::Document doc;
    EXPECT_FALSE(parseJson(doc, text, kDefaultMaxJsonDepth).ok()) << testing::PrintToString(text);
  }
}

// Found by test/fuzz's admission target: RapidJSON refuses a lone high
// surrogate escape but decoded a lone low one to bytes that are not UTF-8,
// so an echoed uid made the answer invalid JSON. A low one is U+FFFD now, as
// Go's decoder has it; a high one stays an error.
TEST(WebhookJson, LoneSurrogateEscapes) {
  for (std::string text : {std::string(R"(["\ud800"])"), std::string(R"(["\udbff\u0041"])")}) {
    rapidjson::Document doc;
    auto parsed = parseJson(doc, text, kDefaultMaxJsonDepth);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_NE(parsed.error().find("The surrogate pair in string is invalid."), std::string::npos)
        << parsed.error();
    EXPECT_FALSE(parseJsonInsitu(doc, text.data(), kDefaultMaxJsonDepth).ok()) << text;
  }
  for (std::string text : {std::string(R"(["\udc00"])"), std::string(R"(["aw\ud179\udc00"])"),
                           std::string("[\"\xc3\xa9\\udfff\"]")}) {
    rapidjson::Document doc;
    auto parsed = parseJsonInsitu(doc, text.data(), kDefaultMaxJsonDepth);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    const std::string value = doc[0].GetString();
    EXPECT_EQ(value.substr(value.size() - 3), "\xef\xbf\xbd") << text;  // U+FFFD
  }
}

TEST(WebhookJson, AcceptsSurrogatePairsAndEscapesNextToTheSurrogateRange) {
  // U+1F600 as a pair, U+D7FF and U+E000 (ED 9F BF and EE 80 80) on either side of it.
  std::string text = R"(["\ud83d\ude00","\ud7ff","\ue000"])";
  rapidjson::Document doc;
  ASSERT_TRUE(parseJsonInsitu(doc, text.data(), kDefaultMaxJsonDepth).ok());
  EXPECT_EQ(std::string(doc[0].GetString()), "\xf0\x9f\x98\x80");
  EXPECT_EQ(std::string(doc[1].GetString()), "\xed\x9f\xbf");
  EXPECT_EQ(std::string(doc[2].GetString()), "\xee\x80\x80");
}

TEST(WebhookJson, AcceptsValidMultibyteUtf8) {
  rapidjson::Document doc;
  ASSERT_TRUE(
      parseJson(doc, "\"gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80\"", kDefaultMaxJsonDepth).ok());
  EXPECT_EQ(std::string(doc.GetString()), "gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x98\x80");
}

// ASCII input skips UTF-8 validation (webhook/Json.cpp): a bad byte anywhere,
// in or after the eight-byte blocks it checks, still turns validation on.
TEST(WebhookJson, InvalidUtf8IsFoundAtAnyOffsetOfALongDocument) {
  const std::string filler = "\"" + std::string(40, 'a') + "\",";
  for (std::size_t at = 0; at < 12; ++at) {
    std::string text = "[" + filler + "\"" + std::string(at, 'b') + "\xff\"]";
    std::string insitu = text;
    rapidjson::Document doc;
    EXPECT_FALSE(parseJson(doc, text, kDefaultMaxJsonDepth).ok()) << at;
    EXPECT_FALSE(parseJsonInsitu(doc, insitu.data(), kDefaultMaxJsonDepth).ok()) << at;
  }
}

TEST(WebhookJson, AsciiAndMultibyteDocumentsParseTheSameInBothModes) {
  for (std::string text : {std::string(R"({"name":"app","env":[{"name":"A","value":"x\"y\\z\u00e9"}]})"),
                           std::string("{\"name\":\"gr\xc3\xbc\xc3\x9f\",\"n\":[1,2,3]}")}) {
    rapidjson::Document a, b;
    ASSERT_TRUE(parseJson(a, text, kDefaultMaxJsonDepth).ok()) << text;
    std::string insitu = text;
    ASSERT_TRUE(parseJsonInsitu(b, insitu.data(), kDefaultMaxJsonDepth).ok()) << text;
    EXPECT_TRUE(a == b) << text;
  }
}

TEST(WebhookJson, ControlCharactersInAsciiStringsAreStillRejected) {
  std::string text = "[\"tab\there\"]";
  rapidjson::Document doc;
  EXPECT_FALSE(parseJson(doc, text, kDefaultMaxJsonDepth).ok());
  EXPECT_FALSE(parseJsonInsitu(doc, text.data(), kDefaultMaxJsonDepth).ok());
}

// Limits above 512 levels parse iteratively (no recursion as deep as the
// input): a document of 200,000 levels under such a limit must not crash.
TEST(WebhookJson, DeepLimitsUseTheIterativeParserAndStillEnforceTheLimit) {
  rapidjson::Document doc;
  EXPECT_TRUE(parseJson(doc, nestedArrays(2000), 2000).ok());
  EXPECT_FALSE(parseJson(doc, nestedArrays(2001), 2000).ok());
  std::string deep = nestedArrays(200000);
  EXPECT_TRUE(parseJsonInsitu(doc, deep.data(), 200000).ok());
}

TEST(WebhookJson, ArrayDepthExactlyAtTheLimitIsAccepted) {
  for (unsigned limit : {1u, 3u, kDefaultMaxJsonDepth}) {
    rapidjson::Document doc;
    auto status = parseJson(doc, nestedArrays(limit), limit);
    EXPECT_TRUE(status.ok()) << "limit " << limit << ": " << (status.ok() ? "" : status.error());
  }
}

TEST(WebhookJson, ArrayDepthOneBeyondTheLimitIsRejected) {
  for (unsigned limit : {1u, 3u, kDefaultMaxJsonDepth}) {
    rapidjson::Document doc;
    auto status = parseJson(doc, nestedArrays(limit + 1), limit);
    ASSERT_FALSE(status.ok()) << "limit " << limit;
    EXPECT_NE(status.error().find("deeper than " + std::to_string(limit)), std::string::npos)
        << status.error();
    EXPECT_TRUE(doc.IsNull());
  }
}

TEST(WebhookJson, ObjectDepthExactlyAtTheLimitIsAcceptedAndOneMoreRejected) {
  for (unsigned limit : {1u, 4u, kDefaultMaxJsonDepth}) {
    rapidjson::Document ok;
    EXPECT_TRUE(parseJson(ok, nestedObjects(limit), limit).ok()) << "limit " << limit;
    rapidjson::Document tooDeep;
    auto status = parseJson(tooDeep, nestedObjects(limit + 1), limit);
    ASSERT_FALSE(status.ok()) << "limit " << limit;
    EXPECT_NE(status.error().find("deeper than"), std::string::npos) << status.error();
  }
}

TEST(WebhookJson, MixedNestingCountsBothKinds) {
  rapidjson::Document doc;
  EXPECT_TRUE(parseJson(doc, R"({"a":[{"b":[]}]})", 4).ok());
  EXPECT_FALSE(parseJson(doc, R"({"a":[{"b":[]}]})", 3).ok());
}

TEST(WebhookJson, DepthIsNestingNotCount) {
  // Many siblings at depth 2 must not accumulate.
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i)
    wide += (i ? ",[]" : "[]");
  wide += "]";
  rapidjson::Document doc;
  EXPECT_TRUE(parseJson(doc, wide, 2).ok());
}

TEST(WebhookJson, AMillionOpenBracketsAreRejectedWithoutCrashing) {
  const std::string hostile(1000000, '[');
  rapidjson::Document doc;
  auto status = parseJson(doc, hostile, kDefaultMaxJsonDepth);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().find("deeper than"), std::string::npos) << status.error();

  std::string buffer = hostile;  // the in-place variant must hold too
  rapidjson::Document doc2;
  EXPECT_FALSE(parseJsonInsitu(doc2, buffer.data(), kDefaultMaxJsonDepth).ok());
}

TEST(WebhookJson, AMillionBalancedBracketsAreRejected) {
  const std::string hostile = nestedArrays(1000000);
  rapidjson::Document doc;
  EXPECT_FALSE(parseJson(doc, hostile, kDefaultMaxJsonDepth).ok());
}

TEST(WebhookJson, InsituParsesAndStringsPointIntoTheBuffer) {
  std::string text = R"({"name":"value","list":["x\"y"]})";
  std::vector<char> buffer(text.begin(), text.end());
  buffer.push_back('\0');
  rapidjson::Document doc;
  auto status = parseJsonInsitu(doc, buffer.data(), kDefaultMaxJsonDepth);
  ASSERT_TRUE(status.ok()) << status.error();
  const char* begin = buffer.data();
  const char* end = buffer.data() + buffer.size();
  const char* name = doc["name"].GetString();
  EXPECT_STREQ(name, "value");
  EXPECT_TRUE(name >= begin && name < end) << "string was copied, not parsed in place";
  const char* unescaped = doc["list"][0].GetString();
  EXPECT_STREQ(unescaped, "x\"y");
  EXPECT_TRUE(unescaped >= begin && unescaped < end);
  const char* key = doc.MemberBegin()->name.GetString();
  EXPECT_TRUE(key >= begin && key < end);
}

TEST(WebhookJson, InsituEnforcesTheDepthLimitAndUtf8) {
  std::string deep = nestedArrays(5);
  rapidjson::Document doc;
  EXPECT_TRUE(parseJsonInsitu(doc, deep.data(), 5).ok());
  deep = nestedArrays(6);
  EXPECT_FALSE(parseJsonInsitu(doc, deep.data(), 5).ok());
  std::string bad = "\"\xff\"";
  EXPECT_FALSE(parseJsonInsitu(doc, bad.data(), kDefaultMaxJsonDepth).ok());
}

// Found by test/fuzz's admission target (its input is the first one): a
// text ending in a truncated multi-byte sequence, in an unterminated string.
// Parsed in place, RapidJSON's validation took the missing continuation
// bytes from past the NUL (AddressSanitizer: heap-buffer-overflow, a read
// and then a write). Each text sits at the very end of its allocation here.
TEST(WebhookJson, InsituStopsAtTheEndOfATextEndingInATruncatedSequence) {
  for (std::string text : {std::string("\t\t\"voludefault/bare\xe6"), std::string("\"\xc3"),
                           std::string("{\"a\":\"\xf0\x9f"), std::string("[\"x\",\"\xf4")}) {
    auto exact = std::make_unique<char[]>(text.size() + 1);
    std::memcpy(exact.get(), text.c_str(), text.size() + 1);
    rapidjson::Document doc;
    auto status = parseJsonInsitu(doc, exact.get(), kDefaultMaxJsonDepth);
    ASSERT_FALSE(status.ok()) << testing::PrintToString(text);
    EXPECT_NE(status.error().find("Invalid encoding in string."), std::string::npos) << status.error();
    EXPECT_TRUE(doc.IsNull());
  }
}

TEST(WebhookJson, InsituRejectsTrailingGarbage) {
  std::string text = "{} x";
  rapidjson::Document doc;
  EXPECT_FALSE(parseJsonInsitu(doc, text.data(), kDefaultMaxJsonDepth).ok());
}

TEST(WebhookJson, AccessorsTreatAWrongTypeAsAbsent) {
  rapidjson::Document doc;
  ASSERT_TRUE(parseJson(doc, R"({"s":"x","o":{},"a":[],"n":1})", kDefaultMaxJsonDepth).ok());
  using namespace irsa::webhook;
  EXPECT_EQ(stringMember(doc, "s"), "x");
  EXPECT_EQ(stringMember(doc, "n"), "");
  EXPECT_EQ(stringMember(doc, "missing"), "");
  EXPECT_NE(objectMember(doc, "o"), nullptr);
  EXPECT_EQ(objectMember(doc, "a"), nullptr);
  EXPECT_NE(arrayMember(doc, "a"), nullptr);
  EXPECT_EQ(arrayMember(doc, "o"), nullptr);
  EXPECT_EQ(member(doc["a"], "x"), nullptr);  // not an object
  EXPECT_EQ(toJson(doc), R"({"s":"x","o":{},"a":[],"n":1})");
}

}  // namespace
