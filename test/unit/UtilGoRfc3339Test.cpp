// util/GoParse goParseRfc3339: time.Parse(time.RFC3339, …), as doctor's --now takes it.
#include <gtest/gtest.h>

#include <chrono>

#include "util/GoParse.hpp"

using irsa::util::goParseRfc3339;

namespace {

std::int64_t unix(std::string_view text) {
  auto t = goParseRfc3339(text);
  EXPECT_TRUE(t) << text << ": " << t.error();
  return t ? t->time_since_epoch().count() : -1;
}

}  // namespace

TEST(UtilGoRfc3339, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(unix("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(unix("2026-12-04T02:09:18Z"), 1796350158);
  EXPECT_EQ(unix("2026-12-04T02:09:18.999999999Z"), 1796350158);
  EXPECT_EQ(unix("2026-12-04T04:09:18+02:00"), 1796350158);
  EXPECT_EQ(unix("2026-12-03T21:09:18-05:00"), 1796350158);
  EXPECT_EQ(unix("2024-02-29t00:00:00z"), 1709164800);
}

TEST(UtilGoRfc3339, RefusesWhatGoRefuses) {
  for (const char* text : {"", "1796350158", "2026-12-04", "2026-12-04T02:09:18", "2026-12-04 02:09:18Z",
                           "2026-02-30T00:00:00Z", "2026-12-04T24:00:00Z", "2026-12-04T02:09:18+0200",
                           "2026-12-04T02:09:18.Z", "2026-12-04T02:09:18Zx", "26-12-04T02:09:18Z"}) {
    auto t = goParseRfc3339(text);
    EXPECT_FALSE(t) << text;
    if (!t) {
      EXPECT_NE(t.error().find("as RFC 3339"), std::string::npos) << t.error();
    }
  }
}
