#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "test/support/TempDir.hpp"
#include "util/JsonWriter.hpp"
#include "yaml/YamlJson.hpp"

namespace irsa::yaml {
namespace {

std::string toJson(const rapidjson::Value& v) {
  irsa::util::JsonBuffer buf;
  irsa::util::JsonWriter writer(buf);
  v.Accept(writer);
  return buf.GetString();
}

std::string nested(int depth, const std::string& open, const std::string& close) {
  std::string s;
  for (int i = 0; i < depth; ++i) {
    s += open;
  }
  for (int i = 0; i < depth; ++i) {
    s += close;
  }
  return s;
}

// Block mappings nested `depth` deep: a:\n  a:\n    a: ... x
std::string nestedBlock(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) {
    s += std::string(2 * i, ' ') + "a:" + (i + 1 == depth ? " x\n" : "\n");
  }
  return s;
}

// --- Plain-scalar typing, as Kubernetes' YAML decoder types it -------------

struct TypingCase {
  const char* name;
  const char* yaml;      // the value of key `v`
  const char* expected;  // that value serialised as JSON
};

class YamlTypingTest : public ::testing::TestWithParam<TypingCase> {};

TEST_P(YamlTypingTest, ConvertsScalarLikeKubernetes) {
  const TypingCase& c = GetParam();
  auto doc = YamlJson::parseOne(std::string("v: ") + c.yaml + "\n");
  ASSERT_TRUE(doc.ok()) << doc.error();
  ASSERT_TRUE(doc->IsObject());
  ASSERT_TRUE(doc->HasMember("v"));
  EXPECT_EQ(toJson((*doc)["v"]), c.expected) << "yaml: " << c.yaml;
}

INSTANTIATE_TEST_SUITE_P(
    Table, YamlTypingTest,
    ::testing::Values(
        TypingCase{"PlainTrue", "true", "true"}, TypingCase{"PlainTrueTitle", "True", "true"},
        TypingCase{"PlainTrueUpper", "TRUE", "true"}, TypingCase{"PlainFalse", "false", "false"},
        TypingCase{"DoubleQuotedTrue", "\"true\"", "\"true\""},
        TypingCase{"SingleQuotedFalse", "'false'", "\"false\""},
        // YAML 1.1 booleans, as kubectl v1.37 reads them (Kubernetes' decoder
        // is go-yaml v2): an unquoted `yes` is not the string "yes".
        TypingCase{"YesIsTrue", "yes", "true"}, TypingCase{"NoIsFalse", "No", "false"},
        TypingCase{"OnIsTrue", "ON", "true"}, TypingCase{"OffIsFalse", "off", "false"},
        TypingCase{"YIsTrue", "y", "true"}, TypingCase{"NIsFalse", "N", "false"},
        TypingCase{"QuotedYesStaysString", "\"yes\"", "\"yes\""},
        TypingCase{"MixedCaseIsString", "tRue", "\"tRue\""}, TypingCase{"YeahIsString", "yeah", "\"yeah\""},
        TypingCase{"Null", "null", "null"}, TypingCase{"Tilde", "~", "null"}, TypingCase{"Empty", "", "null"},
        TypingCase{"QuotedNull", "\"null\"", "\"null\""}, TypingCase{"Decimal", "3600", "3600"},
        TypingCase{"Negative", "-7", "-7"}, TypingCase{"PlusSign", "+7", "7"},
        TypingCase{"LeadingZeroIsOctal", "0755", "493"}, TypingCase{"Hex", "0x1F", "31"},
        TypingCase{"NegativeHex", "-0x10", "-16"}, TypingCase{"OctalPrefix", "0o17", "15"},
        TypingCase{"Binary", "0b101", "5"}, TypingCase{"Underscores", "1_000", "1000"},
        TypingCase{"QuotedNumber", "\"3600\"", "\"3600\""}, TypingCase{"QuotedOctal", "'0755'", "\"0755\""},
        TypingCase{"Int64Max", "9223372036854775807", "9223372036854775807"},
        TypingCase{"Int64Min", "-9223372036854775808", "-9223372036854775808"},
        TypingCase{"TooBigForInt64", "9223372036854775808", "9223372036854775808"},
        TypingCase{"TooBigForUint64", "18446744073709551616", "18446744073709553000.0"},
        TypingCase{"Float", "1.5", "1.5"}, TypingCase{"Exponent", "1e3", "1000.0"},
        TypingCase{"LeadingDot", "-.5", "-0.5"}, TypingCase{"Inf", ".inf", "\".inf\""},
        TypingCase{"NegativeInf", "-.Inf", "\"-.inf\""}, TypingCase{"NaN", ".nan", "\".nan\""},
        TypingCase{"FloatOverflowStaysString", "1e999", "\"1e999\""},
        TypingCase{"FloatUnderflowIsZero", "1e-999", "0.0"}, TypingCase{"LeadingZeroEight", "08", "8.0"},
        TypingCase{"Timestamp", "2001-12-14", "\"2001-12-14\""}, TypingCase{"Version", "1.2.3", "\"1.2.3\""},
        TypingCase{"Arn", "arn:aws:iam::111122223333:role/x", "\"arn:aws:iam::111122223333:role/x\""},
        TypingCase{"TagStr", "!!str 12", "\"12\""}, TypingCase{"TagStrTrue", "!!str true", "\"true\""},
        TypingCase{"TagInt", "!!int \"12\"", "12"}, TypingCase{"TagBool", "!!bool \"true\"", "true"},
        TypingCase{"TagStrYes", "!!str yes", "\"yes\""}, TypingCase{"TagFloat", "!!float 1", "1.0"},
        TypingCase{"TagNull", "!!null ''", "null"}, TypingCase{"Literal", "|\n  a\n  b", "\"a\\nb\\n\""},
        TypingCase{"Folded", ">-\n  a\n  b", "\"a b\""},
        TypingCase{"FlowSeq", "[1, \"2\", yes, \"no\"]", "[1,\"2\",true,\"no\"]"},
        TypingCase{"FlowMap", "{a: 1, b: true}", "{\"a\":1,\"b\":true}"}),
    [](const ::testing::TestParamInfo<TypingCase>& info) { return std::string(info.param.name); });

TEST(YamlJsonTest, BigIntegersKeepTheirWidth) {
  auto doc = YamlJson::parseOne("a: 9223372036854775807\nb: 9223372036854775808\nc: 18446744073709551616\n");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_TRUE((*doc)["a"].IsInt64());
  EXPECT_EQ((*doc)["a"].GetInt64(), INT64_MAX);
  EXPECT_FALSE((*doc)["b"].IsInt64());
  ASSERT_TRUE((*doc)["b"].IsUint64());
  EXPECT_EQ((*doc)["b"].GetUint64(), 9223372036854775808ULL);
  EXPECT_TRUE((*doc)["c"].IsDouble());
}

TEST(YamlJsonTest, KeysAreStringsSpelledAsKubernetesDoes) {
  auto doc = YamlJson::parseOne("1: a\n0x10: b\ntrue: c\non: d\n\"on\": e\n1.5: f\nname: g\n");
  ASSERT_TRUE(doc.ok()) << doc.error();
  // `true` and `on` are both the key "true"; the later one wins.
  EXPECT_EQ(toJson(*doc), R"({"1":"a","16":"b","true":"d","on":"e","1.5":"f","name":"g"})");
}

TEST(YamlJsonTest, NullAndCollectionKeysAreErrors) {
  auto collection = YamlJson::parseAll("? [1, 2]\n: x\n");
  ASSERT_FALSE(collection.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "is not a string", collection.error());
  auto null = YamlJson::parseAll("a: 1\n~: x\n");
  ASSERT_FALSE(null.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "mapping key at line 2 is null", null.error());
}

// The builder cannot stop yaml-cpp: it keeps its first error and ignores the
// rest, so a later yaml-cpp error in the same document does not replace it.
TEST(YamlJsonTest, TheFirstErrorIsReportedWhenYamlCppFailsLaterInTheDocument) {
  auto null = YamlJson::parseAll("a: 1\n~: x\nb: [1, 2\n");
  ASSERT_FALSE(null.ok());
  EXPECT_EQ(null.error(), "mapping key at line 2 is null");
  auto merge = YamlJson::parseAll("a:\n  <<: 5\nb: {c: 1\n");
  ASSERT_FALSE(merge.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "merge key `<<`", merge.error());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "needs a map or a list of maps", merge.error());
  auto yamlCpp = YamlJson::parseAll("a: 1\nb: [1, 2\n");
  ASSERT_FALSE(yamlCpp.ok());
  EXPECT_EQ(yamlCpp.error().rfind("invalid YAML at line ", 0), 0u) << yamlCpp.error();
}

TEST(YamlJsonTest, ImpossibleExplicitTagIsAnError) {
  auto doc = YamlJson::parseAll("a: 1\nb: !!int abc\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "cannot decode \"abc\" as !!int at line 2", doc.error());
}

TEST(YamlJsonTest, AliasesAreResolvedAndDuplicateKeysKeepTheLast) {
  auto doc = YamlJson::parseOne("base: &b {x: 1}\nother: *b\nk: first\nk: second\n");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ(toJson(*doc), R"({"base":{"x":1},"other":{"x":1},"k":"second"})");
}

TEST(YamlJsonTest, MergeKeysMergeLikeGoYaml) {
  auto doc = YamlJson::parseOne(
      "base: &base {a: 1, b: 1}\n"
      "more: &more {b: 2, c: 2}\n"
      "one: {<<: *base, b: 9}\n"
      "list: {<<: [*base, *more], d: 4}\n"
      "quoted: {\"<<\": x}\n");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ(toJson((*doc)["one"]), R"({"a":1,"b":9})");
  // The earlier source wins, explicit keys after `<<` win over both.
  EXPECT_EQ(toJson((*doc)["list"]), R"({"c":2,"a":1,"b":1,"d":4})");
  EXPECT_EQ(toJson((*doc)["quoted"]), R"({"<<":"x"})");

  auto scalar = YamlJson::parseAll("a: {<<: 5}\n");
  ASSERT_FALSE(scalar.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "needs a map or a list of maps", scalar.error());
}

TEST(YamlJsonTest, EmptyMergeChainsAreBounded) {
  // 10^8 empty merges from a few hundred bytes must fail fast, not spin.
  std::string text = "a0: &a0 {}\n";
  for (int i = 1; i <= 8; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " {<<: [";
    for (int j = 0; j < 10; ++j) {
      text += (j ? ", " : "") + prev;
    }
    text += "]}\n";
  }
  auto docs = YamlJson::parseAll(text);
  ASSERT_FALSE(docs.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "expands to too many values", docs.error());
}

TEST(YamlJsonTest, MultiDocumentSkipsEmptyDocuments) {
  auto docs = YamlJson::parseAll("---\n---\na: 1\n---\n# only a comment\n---\n- x\n...\n---\n");
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ(toJson((*docs)[0]), R"({"a":1})");
  EXPECT_EQ(toJson((*docs)[1]), R"(["x"])");
}

TEST(YamlJsonTest, EmptyTextHasNoDocuments) {
  for (const char* text : {"", "\n  \n", "# nothing\n", "---\n"}) {
    auto docs = YamlJson::parseAll(text);
    ASSERT_TRUE(docs.ok()) << docs.error();
    EXPECT_TRUE(docs->empty()) << "text: " << text;
  }
}

TEST(YamlJsonTest, ParseOneRequiresExactlyOneDocument) {
  auto two = YamlJson::parseOne("a: 1\n---\nb: 2\n");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error(), "expected one document, found 2");
  auto none = YamlJson::parseOne("");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "expected one document, found 0");
}

TEST(YamlJsonTest, JsonInputIsParsedExactly) {
  auto doc =
      YamlJson::parseOne("\n  {\"a\": 1.0, \"b\": \"true\", \"c\": [1, yes], \"d\": 18446744073709551615}");
  EXPECT_FALSE(doc.ok()) << "`yes` is not JSON, so the JSON parser must have been used";

  doc = YamlJson::parseOne("\n  {\"a\": 1.0, \"b\": \"true\", \"c\": [1, 2], \"d\": 18446744073709551615}");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_TRUE((*doc)["a"].IsDouble());
  EXPECT_TRUE((*doc)["b"].IsString());
  EXPECT_TRUE((*doc)["d"].IsUint64());
  EXPECT_EQ((*doc)["d"].GetUint64(), UINT64_MAX);

  auto array = YamlJson::parseAll("[1, {\"x\": null}]");
  ASSERT_TRUE(array.ok()) << array.error();
  ASSERT_EQ(array->size(), 1u);
  EXPECT_EQ(toJson(array->front()), R"([1,{"x":null}])");
}

// The JSON front end shares webhook/'s depth-limited handler: a lone low
// surrogate escape is U+FFFD, a lone high one an error.
TEST(YamlJsonTest, JsonLoneSurrogateEscapes) {
  auto high = YamlJson::parseOne(R"({"a": "\ud800"})");
  ASSERT_FALSE(high.ok());
  EXPECT_NE(high.error().find("The surrogate pair in string is invalid."), std::string::npos) << high.error();
  auto low = YamlJson::parseOne(R"({"a": "\udc00"})");
  ASSERT_TRUE(low.ok()) << low.error();
  EXPECT_EQ(std::string((*low)["a"].GetString()), "\xef\xbf\xbd");
}

// Found by test/fuzz's config target (its input: `{"kind":0e40"`): RapidJSON
// 1.1's full-precision strtod takes clz(0) on a zero significand with an
// exponent past its fast path, undefined; `0e40` came out as -2.4e229.
TEST(YamlJsonTest, JsonZeroWithAnyExponentIsZero) {
  auto doc = YamlJson::parseOne(R"({"kind": 0e40, "a": -0E+99, "b": 0.000e-400, "c": 0.0e38, "d": -0.0})");
  ASSERT_TRUE(doc.ok()) << doc.error();
  for (const char* key : {"kind", "a", "b", "c", "d"}) {
    ASSERT_TRUE((*doc)[key].IsDouble()) << key;
    EXPECT_EQ((*doc)[key].GetDouble(), 0.0) << key;
  }
  EXPECT_TRUE(std::signbit((*doc)["a"].GetDouble()));
  EXPECT_TRUE(std::signbit((*doc)["d"].GetDouble()));
  EXPECT_FALSE(std::signbit((*doc)["kind"].GetDouble()));
}

// The numbers' text is parsed on its own: the same types and values as before.
TEST(YamlJsonTest, JsonNumbersKeepTheirTypesAndFullPrecision) {
  auto doc = YamlJson::parseOne(
      R"([0, -0, 7, -7, 4294967295, -2147483649, 18446744073709551615, 9223372036854775808, 1e2, 0.1, )"
      R"(2.2250738585072011e-308, 123456789012345678901234567890, 1e-400])");
  ASSERT_TRUE(doc.ok()) << doc.error();
  const auto& a = *doc;
  EXPECT_TRUE(a[0].IsInt() && a[1].IsInt() && a[2].IsInt() && a[3].IsInt());
  EXPECT_TRUE(a[4].IsUint() && !a[4].IsInt());
  EXPECT_TRUE(a[5].IsInt64() && !a[5].IsInt());
  EXPECT_TRUE(a[6].IsUint64() && a[6].GetUint64() == UINT64_MAX);
  EXPECT_TRUE(a[7].IsUint64() && !a[7].IsInt64());
  EXPECT_TRUE(a[8].IsDouble() && a[8].GetDouble() == 100.0);
  EXPECT_EQ(a[9].GetDouble(), 0.1);
  EXPECT_EQ(a[10].GetDouble(), 2.2250738585072011e-308);  // the one a fast strtod gets wrong
  EXPECT_EQ(a[11].GetDouble(), 1.2345678901234568e+29);
  EXPECT_EQ(a[12].GetDouble(), 0.0);
  auto big = YamlJson::parseOne("{\"a\": 1e400}");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error(), "invalid JSON at line 1, column 7: Number too big to be stored in double.");
}

TEST(YamlJsonTest, JsonDuplicateKeysKeepTheLast) {
  auto doc = YamlJson::parseOne(R"({"a": 1, "b": {"x": 1, "x": 2}, "a": 3})");
  ASSERT_TRUE(doc.ok()) << doc.error();
  EXPECT_EQ(toJson(*doc), R"({"b":{"x":2},"a":3})");
}

TEST(YamlJsonTest, MalformedJsonReportsLineAndColumn) {
  auto doc = YamlJson::parseAll("{\"a\": 1,\n \"b\" 2}");
  ASSERT_FALSE(doc.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "invalid JSON at line 2, column 6", doc.error());
  auto trailing = YamlJson::parseAll("{\"a\": 1} x");
  ASSERT_FALSE(trailing.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "invalid JSON at line 1, column 10", trailing.error());
}

TEST(YamlJsonTest, MalformedYamlReportsLineAndColumn) {
  auto doc = YamlJson::parseAll("a: 1\n  b: 2\n");
  ASSERT_FALSE(doc.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "invalid YAML at line 2, column 4: ", doc.error());
  auto unclosed = YamlJson::parseAll("a: 1\nb: [1, 2\n");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "invalid YAML at line", unclosed.error());
  // yaml-cpp alone would read this as {a: "open c: 3"}.
  auto unclosedQuote = YamlJson::parseAll("a: \"open\nc: 3\n");
  ASSERT_FALSE(unclosedQuote.ok());
  EXPECT_EQ(unclosedQuote.error(), "invalid YAML at line 1: quoted scalar is never closed");
}

TEST(YamlJsonTest, DeepNestingIsAnErrorNotACrash) {
  const std::string deep(100000, '[');
  std::string dashes;
  for (int i = 0; i < 100000; ++i) {
    dashes += "- ";
  }
  const std::vector<std::string> inputs = {deep,
                                           nested(100000, "[", "]"),
                                           "a: " + deep,
                                           "a: " + nested(100000, "{b: ", "}"),
                                           nestedBlock(1000),
                                           dashes + "x\n"};
  for (const std::string& text : inputs) {
    auto docs = YamlJson::parseAll(text);
    ASSERT_FALSE(docs.ok()) << text.substr(0, 40);
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "nesting deeper than 64 levels", docs.error())
        << text.substr(0, 40);
  }
}

TEST(YamlJsonTest, DepthLimitIsExactlySixtyFour) {
  EXPECT_TRUE(YamlJson::parseAll(nested(64, "[", "]")).ok());
  EXPECT_FALSE(YamlJson::parseAll(nested(65, "[", "]")).ok());
  // The top-level map is the first level.
  EXPECT_TRUE(YamlJson::parseAll("a: " + nested(63, "[", "]")).ok());
  EXPECT_FALSE(YamlJson::parseAll("a: " + nested(64, "[", "]")).ok());
  auto ok = YamlJson::parseAll(nestedBlock(64));
  EXPECT_TRUE(ok.ok()) << ok.error();
  auto tooDeep = YamlJson::parseAll(nestedBlock(65));
  ASSERT_FALSE(tooDeep.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "nesting deeper than 64 levels", tooDeep.error());
}

TEST(YamlJsonTest, BracketsInsideScalarsDoNotCountAsNesting) {
  const std::string brackets(200, '[');
  auto docs = YamlJson::parseAll("a: x" + brackets + "\nb: '" + brackets + "'\nc: |\n  " + brackets +
                                 "\n    " + brackets + "\nd: \"" + brackets + "\" # " + brackets + "\n");
  ASSERT_TRUE(docs.ok()) << docs.error();
  EXPECT_EQ((*docs)[0]["b"].GetStringLength(), 200u);
}

TEST(YamlJsonTest, CyclicAliasIsAnErrorNotACrash) {
  for (const char* text : {"&a [*a]\n", "&a {x: *a}\n", "&a {<<: *a}\n"}) {
    auto docs = YamlJson::parseAll(text);
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_EQ(docs.error(), "alias at line 1 refers to a node that contains it") << text;
  }
}

TEST(YamlJsonTest, StrayCommaIsAnErrorNotAnEndlessLoop) {
  // yaml-cpp 0.7's LoadAll() allocates forever on these (jbeder/yaml-cpp#1040).
  for (const char* text : {",", " ,a", "x: 1\n---\n[a, b]\n,", "---\na: 1\n---\n,\n"}) {
    auto docs = YamlJson::parseAll(text);
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, "unexpected ','", docs.error()) << text;
  }
}

TEST(YamlJsonTest, AliasExpansionIsBounded) {
  // 10^7 values once expanded ("billion laughs"), from a few hundred bytes.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 6; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) {
      text += (j ? ", " : "") + prev;
    }
    text += "]\n";
  }
  auto docs = YamlJson::parseAll(text);
  ASSERT_FALSE(docs.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "expands to too many values", docs.error());
}

TEST(YamlJsonTest, OversizedAndNulInputsAreRejected) {
  auto big = YamlJson::parseAll(std::string(YamlJson::kMaxInputBytes + 1, ' '));
  ASSERT_FALSE(big.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "larger than 16 MiB", big.error());
  auto nul = YamlJson::parseAll(std::string("{\"a\": 1}\0{", 10));
  ASSERT_FALSE(nul.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "NUL byte", nul.error());
}

TEST(YamlJsonFileTest, ReadsAFile) {
  const testsupport::TempDir dir;
  const std::string path = dir.file("ok.yaml");
  testsupport::writeFileInPlace(path, "a: 1\n---\nb: [true, \"true\"]\n");
  auto docs = YamlJson::readFile(path);
  ASSERT_TRUE(docs.ok()) << docs.error();
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ(toJson((*docs)[1]), R"({"b":[true,"true"]})");
}

TEST(YamlJsonFileTest, ErrorsNameThePath) {
  const testsupport::TempDir dir;
  const std::string missing = dir.file("missing.yaml");
  auto none = YamlJson::readFile(missing);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "read " + missing + ": No such file or directory");

  auto directory = YamlJson::readFile(dir.path().string());
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error(), "read " + dir.path().string() + ": Is a directory");

  const std::string bad = dir.file("bad.yaml");
  testsupport::writeFileInPlace(bad, "a: 1\nb: 2\n  c: 3\n");
  auto invalid = YamlJson::readFile(bad);
  ASSERT_FALSE(invalid.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, bad + ": invalid YAML at line 3, column", invalid.error());
}

}  // namespace
}  // namespace irsa::yaml
