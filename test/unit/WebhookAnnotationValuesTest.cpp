// webhook/AnnotationValues: the rules annotation values are held to. The
// role ARN cases were run through the reference's regexp with Go 1.26; the
// ParseInt texts and the UTF-8 coercion are Go's own output.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "webhook/AnnotationValues.hpp"
#include "webhook/GoStrings.hpp"

using namespace irsa::webhook;
using namespace std::string_view_literals;

namespace {

struct ArnCase {
  std::string_view arn;
  bool matches;  // regexp.MatchString of the reference's pattern
};

// Split literals keep a hex escape from eating the next letter.
constexpr ArnCase kArnCases[] = {
    {"arn:aws:iam::111122223333:role/my-role", true},
    {"arn:aws:iam::111122223333:role/team/sub/my-role", true},
    {"arn:aws:iam::111122223333:role/a_b-c.d@e+f=g,h", true},
    {"arn:aws-cn:iam::111122223333:role/x", true},
    {"arn:aws-us-gov:iam::111122223333:role/x", true},
    {"arn:aws-iso-b:iam::111122223333:role/x", true},
    {"arn:aws0:iam::111122223333:role/x", true},
    {"arn:awsX:iam::111122223333:role/x", false},
    {"arn:aws-CN:iam::111122223333:role/x", false},
    {"arn:aws:iam::11112222333:role/x", false},
    {"arn:aws:iam::1111222233334:role/x", false},
    {"arn:aws:iam::11112222333a:role/x", false},
    {"arn:aws:iam::111122223333:role/", false},
    {"arn:aws:iam::111122223333:role", false},
    {"arn:aws:iam::111122223333:user/x", false},
    {"arn:aws:sts::111122223333:role/x", false},
    {"arn:aws:iam:us-east-1:111122223333:role/x", false},
    {"ARN:aws:iam::111122223333:role/x", false},
    {" arn:aws:iam::111122223333:role/x", false},
    {"arn:aws:iam::111122223333:role/x ", false},
    {"arn:aws:iam::111122223333:role/x\n", false},
    {"arn:aws:iam::111122223333:role/a b", false},
    {"arn:aws:iam::111122223333:role/a\"b", false},
    {"arn:aws:iam::111122223333:role/a\\b", false},
    {"arn:aws:iam::111122223333:role/a:b", false},
    {"arn:aws:iam::111122223333:role/a~b", false},
    {"arn:aws:iam::111122223333:role/a\x00"
     "b"sv,
     false},
    {"arn:aws:iam::111122223333:role/\xC3\xA9", false},
    {"arn:aws:iam::111122223333:role/a\xFF"
     "b",
     false},
    {"my-role", false},
    {"", false},
};

TEST(WebhookAnnotationValues, RoleArnPatternAgreesWithTheReferencesRegexp) {
  for (const auto& c : kArnCases) {
    EXPECT_EQ(matchesRoleArnPattern(c.arn), c.matches) << std::string(c.arn);
  }
}

TEST(WebhookAnnotationValues, AudienceOfVisibleAsciiUpTo255BytesIsTaken) {
  for (std::string_view aud :
       {"sts.amazonaws.com"sv, "https://oidc.example.com/id?x=1&y=~2"sv, "a"sv, "!~"sv}) {
    EXPECT_EQ(audienceProblem(aud), std::nullopt) << std::string(aud);
  }
  EXPECT_EQ(audienceProblem(std::string(255, 'a')), std::nullopt);
}

TEST(WebhookAnnotationValues, AudienceProblemsSayWhatIsWrong) {
  EXPECT_EQ(audienceProblem(""), "it is empty");
  EXPECT_EQ(audienceProblem(std::string(256, 'a')), "it is 256 bytes long, more than 255");
  EXPECT_EQ(audienceProblem("a b"), "byte 1 is 0x20, not a visible ASCII character");
  EXPECT_EQ(audienceProblem("aud\n"), "byte 3 is 0x0A, not a visible ASCII character");
  EXPECT_EQ(audienceProblem("a\x00"
                            "b"sv),
            "byte 1 is 0x00, not a visible ASCII character");
  EXPECT_EQ(audienceProblem("\x7F"), "byte 0 is 0x7F, not a visible ASCII character");
  EXPECT_EQ(audienceProblem("caf\xC3\xA9"), "byte 3 is 0xC3, not a visible ASCII character");
  EXPECT_EQ(audienceProblem("\xFF"), "byte 0 is 0xFF, not a visible ASCII character");
}

TEST(WebhookAnnotationValues, TokenExpirationWithinRangeIsTakenAndRaisedToTheMinimum) {
  const std::pair<std::string_view, std::int64_t> cases[] = {
      {"3600", 3600}, {"+3600", 3600}, {"600", 600},     {"599", 600},
      {"0", 600},     {"-5", 600},     {"86400", 86400}, {"4294967296", 4294967296},
  };
  for (const auto& [text, seconds] : cases) {
    const auto parsed = parseTokenExpiration(text);
    EXPECT_EQ(parsed.seconds, seconds) << std::string(text);
    EXPECT_EQ(parsed.error, "") << std::string(text);
  }
}

TEST(WebhookAnnotationValues, TokenExpirationAboveTheKubernetesLimitIsRefused) {
  const auto parsed = parseTokenExpiration("4294967297");
  EXPECT_EQ(parsed.seconds, std::nullopt);
  EXPECT_EQ(parsed.error, "4294967297 is more than 4294967296 (2^32) seconds, the most Kubernetes accepts");
  EXPECT_EQ(parseTokenExpiration("9223372036854775807").seconds, std::nullopt);
}

TEST(WebhookAnnotationValues, TokenExpirationThatIsNotAnIntegerFailsInStrconvWords) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"abc", R"(strconv.ParseInt: parsing "abc": invalid syntax)"},
      {"", R"(strconv.ParseInt: parsing "": invalid syntax)"},
      {"99999999999999999999", R"(strconv.ParseInt: parsing "99999999999999999999": value out of range)"},
      {"-99999999999999999999", R"(strconv.ParseInt: parsing "-99999999999999999999": value out of range)"},
      {"3600.0", R"(strconv.ParseInt: parsing "3600.0": invalid syntax)"},
      {" 3600", R"(strconv.ParseInt: parsing " 3600": invalid syntax)"},
      {"a\"b\n", R"(strconv.ParseInt: parsing "a\"b\n": invalid syntax)"},
      {"\xFF", R"(strconv.ParseInt: parsing "\xff": invalid syntax)"},
  };
  for (const auto& [text, error] : cases) {
    const auto parsed = parseTokenExpiration(text);
    EXPECT_EQ(parsed.seconds, std::nullopt) << std::string(text);
    EXPECT_EQ(parsed.error, error);
  }
  EXPECT_EQ(tokenExpirationMessage(86400, "why"),
            "Found invalid value for token expiration, using 86400 "
            "seconds as default: why");
}

TEST(WebhookAnnotationValues, IssueFieldsNameTheirAnnotationAndObject) {
  using F = AnnotationIssue::Field;
  EXPECT_EQ(annotationName(F::kRoleArn), "role-arn");
  EXPECT_EQ(annotationName(F::kAudience), "audience");
  EXPECT_EQ(annotationName(F::kStsRegionalEndpoints), "sts-regional-endpoints");
  EXPECT_EQ(annotationName(F::kServiceAccountTokenExpiration), "token-expiration");
  EXPECT_EQ(annotationName(F::kPodTokenExpiration), "token-expiration");
  EXPECT_EQ(annotatedObject(F::kServiceAccountTokenExpiration), "serviceaccount");
  EXPECT_EQ(annotatedObject(F::kRoleArn), "serviceaccount");
  EXPECT_EQ(annotatedObject(F::kPodTokenExpiration), "pod");
  EXPECT_EQ(static_cast<std::size_t>(F::kPodTokenExpiration) + 1, AnnotationIssue::kFieldCount);
}

// --- encoding/json's coercion to valid UTF-8 ------------------------------

TEST(WebhookAnnotationValues, ValidUtf8IsKeptByteForByte) {
  for (std::string_view s : {""sv, "plain"sv, "ok\xC3\xA9\xF0\x9F\x98\x80"sv, "\xE2\x80\xA8"sv,
                             "\xEF\xBF\xBD"sv, "\xF4\x8F\xBF\xBF"sv, "nul\x00inside"sv}) {
    EXPECT_EQ(goCoerceToValidUtf8(s), s);
  }
}

TEST(WebhookAnnotationValues, EveryInvalidByteBecomesOneReplacementCharacterAsInGo) {
  const std::string r = "\xEF\xBF\xBD";
  const std::pair<std::string_view, std::string> cases[] = {
      {"a\xFF"
       "b",
       "a" + r + "b"},
      {"\xC0\x80", r + r},                  // overlong NUL
      {"\xED\xA0\x80", r + r + r},          // a surrogate
      {"\xF4\x90\x80\x80", r + r + r + r},  // past U+10FFFF
      {"\xE2\x82", r + r},                  // cut short
      {"\xF0\x9F\x98", r + r + r},
      {"\x80", r},
  };
  for (const auto& [in, out] : cases) {
    EXPECT_EQ(goCoerceToValidUtf8(in), out);
  }
}

}  // namespace
