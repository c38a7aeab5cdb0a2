// util/GoParse's goParseDuration (Go time.ParseDuration, checked against
// Go 1.26) and the flag usage's formatDuration.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "util/FlagSet.hpp"
#include "util/GoParse.hpp"

using irsa::util::formatDuration;
using irsa::util::goParseDuration;
using std::chrono::milliseconds;

namespace {

TEST(UtilParseGoDuration, ParsesGoDurations) {
  EXPECT_EQ(*goParseDuration("2s"), milliseconds(2000));
  EXPECT_EQ(*goParseDuration("1m30s"), milliseconds(90000));
  EXPECT_EQ(*goParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*goParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*goParseDuration("0"), milliseconds(0));
  EXPECT_EQ(*goParseDuration("0s"), milliseconds(0));
  EXPECT_EQ(*goParseDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(*goParseDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*goParseDuration(".5s"), milliseconds(500));
  EXPECT_EQ(*goParseDuration("+2s"), milliseconds(2000));
  EXPECT_EQ(*goParseDuration("1000us"), milliseconds(1));
  EXPECT_EQ(*goParseDuration("2000000ns"), milliseconds(2));
}

TEST(UtilParseGoDuration, RejectsANumberWithoutAUnit) {
  for (const char* s : {"5", "1.5", "1s2"}) {
    auto d = goParseDuration(s);
    EXPECT_FALSE(d.ok()) << s;
  }
}

TEST(UtilParseGoDuration, RejectsNegativeDurations) {
  auto d = goParseDuration("-1s");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().find("negative"), std::string::npos) << d.error();
}

TEST(UtilParseGoDuration, RejectsGarbage) {
  for (const char* s : {"abc", "", ".", "s", "1x", "1 s", " 1s", "1s "}) {
    EXPECT_FALSE(goParseDuration(s).ok()) << '"' << s << '"';
  }
}

TEST(UtilParseGoDuration, RejectsMalformedNumbersLikeGo) {
  // Go: time: missing unit in duration "1.2.3s".
  for (const char* s : {"1.2.3s", "1..5s"}) {
    EXPECT_FALSE(goParseDuration(s).ok()) << s;
  }
}

TEST(UtilParseGoDuration, NanosecondsKeepWhatMillisecondsRoundAway) {
  EXPECT_EQ(*irsa::util::goParseDurationNanos("1.5us"), std::chrono::nanoseconds(1500));
  EXPECT_EQ(*irsa::util::goParseDurationNanos("2ms"), std::chrono::nanoseconds(2000000));
  EXPECT_EQ(*irsa::util::goParseDurationNanos("1m30s"), std::chrono::seconds(90));
  // Go's limit: int64 nanoseconds, about 292 years.
  EXPECT_FALSE(irsa::util::goParseDurationNanos("3000000h").ok());
  EXPECT_FALSE(irsa::util::goParseDurationNanos("5").ok());
}

TEST(UtilParseGoDuration, RejectsOverflowLikeGo) {
  // Go: time: invalid duration "99999999999999999999h". Converting such a
  // value to an integer is undefined behaviour, so it must be refused.
  auto d = goParseDuration("99999999999999999999h");
  EXPECT_FALSE(d.ok()) << "parsed as " << (d.ok() ? d->count() : 0) << "ms";
}

TEST(UtilFormatDuration, UsesTheLargestWholeUnit) {
  EXPECT_EQ(formatDuration(milliseconds(0)), "0s");
  EXPECT_EQ(formatDuration(milliseconds(2000)), "2s");
  EXPECT_EQ(formatDuration(milliseconds(120000)), "2m");
  EXPECT_EQ(formatDuration(milliseconds(7200000)), "2h");
  EXPECT_EQ(formatDuration(milliseconds(1500)), "1500ms");
}

}  // namespace
