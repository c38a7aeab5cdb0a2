// webhook/GoStrings: each parser must agree with the Go standard library
// function it stands in for. Expected values were checked against Go 1.26.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "webhook/GoStrings.hpp"

using irsa::webhook::goCleanPath;
using irsa::webhook::goParseBool;
using irsa::webhook::goParseInt;
using irsa::webhook::goReadCsvRecord;

namespace {

using Record = std::vector<std::string>;

// --- strconv.ParseBool ---------------------------------------------------

TEST(WebhookGoStrings, ParseBoolAcceptsEveryGoTrueSpelling) {
  for (const char* s : {"1", "t", "T", "TRUE", "true", "True"}) {
    auto v = goParseBool(s);
    ASSERT_TRUE(v.has_value()) << s;
    EXPECT_TRUE(*v) << s;
  }
}

TEST(WebhookGoStrings, ParseBoolAcceptsEveryGoFalseSpelling) {
  for (const char* s : {"0", "f", "F", "FALSE", "false", "False"}) {
    auto v = goParseBool(s);
    ASSERT_TRUE(v.has_value()) << s;
    EXPECT_FALSE(*v) << s;
  }
}

TEST(WebhookGoStrings, ParseBoolRejectsWhatGoRejects) {
  for (const char* s : {"yes", "no", "", " true", "true ", "tRUE", "fALSE", "2", "on", "y", "-1"}) {
    EXPECT_FALSE(goParseBool(s).has_value()) << '"' << s << '"';
  }
}

// --- strconv.ParseInt(s, 10, 64) -----------------------------------------

TEST(WebhookGoStrings, ParseIntAcceptsSignsAndLeadingZeros) {
  EXPECT_EQ(goParseInt("0"), 0);
  EXPECT_EQ(goParseInt("3600"), 3600);
  EXPECT_EQ(goParseInt("+5"), 5);
  EXPECT_EQ(goParseInt("-5"), -5);
  EXPECT_EQ(goParseInt("-0"), 0);
  EXPECT_EQ(goParseInt("007"), 7);
}

TEST(WebhookGoStrings, ParseIntHandlesTheInt64Extremes) {
  EXPECT_EQ(goParseInt("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(goParseInt("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
}

TEST(WebhookGoStrings, ParseIntRejectsOverflow) {
  EXPECT_FALSE(goParseInt("9223372036854775808").has_value());
  EXPECT_FALSE(goParseInt("-9223372036854775809").has_value());
  EXPECT_FALSE(goParseInt("99999999999999999999999").has_value());
  EXPECT_FALSE(goParseInt("18446744073709551616").has_value());  // 2^64: wraps a naive uint64 parse
}

TEST(WebhookGoStrings, ParseIntRejectsNonDecimalText) {
  for (const char* s :
       {"", "+", "-", " 1", "1 ", "1.5", "1e3", "0x10", "1_000", "--1", "+-1", "abc", "12a"}) {
    EXPECT_FALSE(goParseInt(s).has_value()) << '"' << s << '"';
  }
}

// --- path.Clean ----------------------------------------------------------

struct CleanCase {
  const char* in;
  const char* out;
};

TEST(WebhookGoStrings, CleanPathMatchesGoPathCleanTable) {
  const CleanCase cases[] = {
      // Already clean.
      {"", "."},
      {"abc", "abc"},
      {"abc/def", "abc/def"},
      {".", "."},
      {"..", ".."},
      {"../..", "../.."},
      {"../../abc", "../../abc"},
      {"/abc", "/abc"},
      {"/", "/"},
      // Trailing slash removed.
      {"abc/", "abc"},
      {"abc/def/", "abc/def"},
      {"./", "."},
      {"../", ".."},
      {"/abc/", "/abc"},
      // Doubled slashes collapsed.
      {"a//b", "a/b"},
      {"abc//def//ghi", "abc/def/ghi"},
      {"//abc", "/abc"},
      {"///abc", "/abc"},
      {"//abc//", "/abc"},
      // "." elements removed.
      {"/a/./b/", "/a/b"},
      {"abc/./def", "abc/def"},
      {"/./abc/def", "/abc/def"},
      {"abc/.", "abc"},
      // ".." elements resolved.
      {"/../a", "/a"},
      {"a/../..", ".."},
      {"abc/def/ghi/../jkl", "abc/def/jkl"},
      {"abc/def/../ghi/../jkl", "abc/jkl"},
      {"abc/def/..", "abc"},
      {"abc/def/../..", "."},
      {"/abc/def/../..", "/"},
      {"abc/def/../../..", ".."},
      {"/abc/def/../../..", "/"},
      {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"},
      // Combinations.
      {"abc/./../def", "def"},
      {"abc//./../def", "def"},
      {"abc/../../././../def", "../../def"},
      // What the mutator actually joins: mount path + token path.
      {"/var/run/secrets/eks.amazonaws.com/serviceaccount//token",
       "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(goCleanPath(c.in), c.out) << "path.Clean(\"" << c.in << "\")";
}

// --- encoding/csv Reader.Read --------------------------------------------

TEST(WebhookGoStrings, CsvSplitsOnCommas) {
  EXPECT_EQ(goReadCsvRecord("a,b"), (Record{"a", "b"}));
  EXPECT_EQ(goReadCsvRecord("single"), (Record{"single"}));
}

TEST(WebhookGoStrings, CsvKeepsSpacesAroundFields) {
  // Go's TrimLeadingSpace defaults to false.
  EXPECT_EQ(goReadCsvRecord(" a, b"), (Record{" a", " b"}));
  EXPECT_EQ(goReadCsvRecord("a ,b "), (Record{"a ", "b "}));
}

TEST(WebhookGoStrings, CsvKeepsEmptyFields) {
  EXPECT_EQ(goReadCsvRecord("a,"), (Record{"a", ""}));
  EXPECT_EQ(goReadCsvRecord(","), (Record{"", ""}));
  EXPECT_EQ(goReadCsvRecord("\"\""), (Record{""}));
}

TEST(WebhookGoStrings, CsvQuotedFieldsHoldCommasAndDoubledQuotes) {
  EXPECT_EQ(goReadCsvRecord("\"a,b\",\"c\"\"d\""), (Record{"a,b", "c\"d"}));
  EXPECT_EQ(goReadCsvRecord("x,\"y\"\n"), (Record{"x", "y"}));
}

TEST(WebhookGoStrings, CsvQuotedFieldMaySpanLines) {
  EXPECT_EQ(goReadCsvRecord("\"a\nb\",c"), (Record{"a\nb", "c"}));
}

TEST(WebhookGoStrings, CsvBareQuoteInUnquotedFieldIsAnError) {
  EXPECT_FALSE(goReadCsvRecord("a\"b,c").has_value());
}

TEST(WebhookGoStrings, CsvTextAfterClosingQuoteIsAnError) {
  EXPECT_FALSE(goReadCsvRecord("\"a\"b,c").has_value());
  EXPECT_FALSE(goReadCsvRecord("\"a\" ,b").has_value());
}

TEST(WebhookGoStrings, CsvUnterminatedQuoteIsAnError) {
  EXPECT_FALSE(goReadCsvRecord("\"abc").has_value());
  EXPECT_FALSE(goReadCsvRecord("a,\"b").has_value());
}

TEST(WebhookGoStrings, CsvNewlineEndsTheFirstRecord) {
  EXPECT_EQ(goReadCsvRecord("a,b\nc,d"), (Record{"a", "b"}));
  EXPECT_EQ(goReadCsvRecord("a,b\r\nc"), (Record{"a", "b"}));
}

TEST(WebhookGoStrings, CsvSkipsLeadingEmptyLines) {
  EXPECT_EQ(goReadCsvRecord("\n\na,b"), (Record{"a", "b"}));
  EXPECT_EQ(goReadCsvRecord("\r\na"), (Record{"a"}));
}

TEST(WebhookGoStrings, CsvEmptyInputIsNoRecord) {
  EXPECT_FALSE(goReadCsvRecord("").has_value());
  EXPECT_FALSE(goReadCsvRecord("\n\n").has_value());
}

TEST(WebhookGoStrings, CsvLoneCarriageReturnStaysInTheFieldLikeGo) {
  // Go only treats "\r\n" as a line end; a lone "\r" is field data:
  // csv.NewReader(strings.NewReader("a\rb,c")).Read() == ["a\rb" "c"].
  EXPECT_EQ(goReadCsvRecord("a\rb,c"), (Record{"a\rb", "c"}));
}

}  // namespace
