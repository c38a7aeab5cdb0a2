// The apiserver's `?timeout=` on the webhook URL bounds how long a pod may
// wait for its ServiceAccount; isJsonMediaType decides 415 or not.
#include <gtest/gtest.h>

#include "server/AdmissionHandler.hpp"

namespace irsa::server {
namespace {

using std::chrono::milliseconds;

TEST(RequestTimeoutTest, ReadsTheTimeoutQueryParameterAsAGoDuration) {
  EXPECT_EQ(requestTimeout("/mutate?timeout=10s"), milliseconds(10000));
  EXPECT_EQ(requestTimeout("/mutate?timeout=1m30s"), milliseconds(90000));
  EXPECT_EQ(requestTimeout("/mutate?x=1&timeout=500ms&y=2"), milliseconds(500));
}

TEST(RequestTimeoutTest, AbsentOrInvalidTimeoutIsNoTimeout) {
  EXPECT_EQ(requestTimeout("/mutate"), std::nullopt);
  EXPECT_EQ(requestTimeout("/mutate?timeouts=10s"), std::nullopt);
  EXPECT_EQ(requestTimeout("/mutate?timeout="), std::nullopt);
  EXPECT_EQ(requestTimeout("/mutate?timeout=10"), std::nullopt);   // Go requires a unit
  EXPECT_EQ(requestTimeout("/mutate?timeout=-5s"), std::nullopt);  // negative means nothing
}

TEST(JsonMediaTypeTest, AcceptsApplicationJsonWithParametersInAnyCase) {
  EXPECT_TRUE(isJsonMediaType("application/json"));
  EXPECT_TRUE(isJsonMediaType("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(isJsonMediaType(" application/json ;charset=utf-8"));
  EXPECT_FALSE(isJsonMediaType("application/jsonx"));
  EXPECT_FALSE(isJsonMediaType("text/plain"));
  EXPECT_FALSE(isJsonMediaType(""));
}

}  // namespace
}  // namespace irsa::server
