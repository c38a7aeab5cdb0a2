// util/Result: passing an error on keeps its code, which is what callers act on.

#include <gtest/gtest.h>

#include <string>

#include "util/Result.hpp"

namespace irsa::util {
namespace {

Result<int> gone() {
  return httpFailure(410, "HTTP 410: too old");
}

// A caller one layer up: passes the error on, with where it happened.
Result<std::string> caller() {
  auto r = gone();
  if (!r) return r.failure().within("watch /api/v1/serviceaccounts");
  return std::to_string(*r);
}

TEST(UtilResultTest, WithinPrefixesTheMessageAndKeepsTheCodeAndStatus) {
  const Error error = httpFailure(503, "busy").within("GET /x");
  EXPECT_EQ(error.message, "GET /x: busy");
  EXPECT_EQ(error.code, ErrorCode::kHttpStatus);
  EXPECT_EQ(error.httpStatus, 503);
}

TEST(UtilResultTest, AFailurePassedOnThroughAnotherResultTypeKeepsItsCode) {
  const auto r = caller();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "watch /api/v1/serviceaccounts: HTTP 410: too old");
  EXPECT_EQ(r.failure().code, ErrorCode::kHttpStatus);
  EXPECT_EQ(r.failure().httpStatus, 410);
}

TEST(UtilResultTest, AStatusPassesItsFailureOnToAValueResult) {
  const Status limited = fail(ErrorCode::kRateLimited, "client-side rate limit reached");
  const Result<int> passed = limited.failure();
  ASSERT_FALSE(passed.ok());
  EXPECT_EQ(passed.failure().code, ErrorCode::kRateLimited);
  EXPECT_EQ(passed.error(), "client-side rate limit reached");
}

}  // namespace
}  // namespace irsa::util
