// webhook/Base64: standard alphabet with padding (RFC 4648 section 4), as
// Kubernetes encodes []byte such as AdmissionResponse.patch; and base64url
// without padding (RFC 4648 section 5), as JWTs and JWKs encode bytes.
#include <gtest/gtest.h>

#include <string>

#include "webhook/Base64.hpp"

using irsa::webhook::base64Append;
using irsa::webhook::base64Decode;
using irsa::webhook::base64Encode;
using irsa::webhook::base64UrlDecode;
using irsa::webhook::base64UrlEncode;

namespace {

struct Vector {
  const char* plain;
  const char* encoded;
};

// RFC 4648 section 10.
constexpr Vector kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(WebhookBase64, EncodesTheRfc4648TestVectors) {
  for (const auto& v : kRfc4648)
    EXPECT_EQ(base64Encode(v.plain), v.encoded) << '"' << v.plain << '"';
}

TEST(WebhookBase64, DecodesTheRfc4648TestVectors) {
  for (const auto& v : kRfc4648) {
    auto decoded = base64Decode(v.encoded);
    ASSERT_TRUE(decoded.has_value()) << v.encoded;
    EXPECT_EQ(*decoded, v.plain) << v.encoded;
  }
}

TEST(WebhookBase64, UsesTheStandardNotTheUrlAlphabet) {
  // 0xfb 0xff 0xbf encodes to the last two alphabet characters.
  EXPECT_EQ(base64Encode("\xfb\xff\xbf"), "+/+/");
  EXPECT_EQ(base64Decode("+/+/"), std::string("\xfb\xff\xbf"));
  EXPECT_FALSE(base64Decode("-_-_").has_value());
}

TEST(WebhookBase64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); len += 37) {
    const std::string input = all.substr(0, len);
    auto decoded = base64Decode(base64Encode(input));
    ASSERT_TRUE(decoded.has_value()) << len;
    EXPECT_EQ(*decoded, input) << len;
  }
  EXPECT_EQ(base64Decode(base64Encode(all)), all);
}

TEST(WebhookBase64, EncodesEmbeddedNulBytes) {
  EXPECT_EQ(base64Encode(std::string("\0\0\0", 3)), "AAAA");
  EXPECT_EQ(base64Decode("AAA="), std::string("\0\0", 2));
}

TEST(WebhookBase64, AppendKeepsWhatIsAlreadyInTheBuffer) {
  std::string out = "prefix:";
  base64Append(out, "foobar");
  EXPECT_EQ(out, "prefix:Zm9vYmFy");
  base64Append(out, "f");
  EXPECT_EQ(out, "prefix:Zm9vYmFyZg==");
}

TEST(WebhookBase64, RejectsLengthsThatAreNotAMultipleOfFour) {
  for (const char* text : {"Z", "Zg", "Zg=", "Zm9vY", "Zm9vYmFy="}) {
    EXPECT_FALSE(base64Decode(text).has_value()) << text;
  }
}

TEST(WebhookBase64, RejectsCharactersOutsideTheAlphabet) {
  for (const char* text : {"Zm9v!A==", "Zm 9", "Zm9v\n", "Zm9\x80", "Zm.v"}) {
    EXPECT_FALSE(base64Decode(text).has_value()) << testing::PrintToString(std::string(text));
  }
}

TEST(WebhookBase64, RejectsMisplacedPadding) {
  for (const char* text : {"====", "Z===", "=Zg=", "Zg=A", "Zg==Zm8=", "Zm8=Zm9v", "Zg==Zg=="}) {
    EXPECT_FALSE(base64Decode(text).has_value()) << text;
  }
}

}  // namespace

TEST(WebhookBase64Url, EncodesWithTheUrlAlphabetAndNoPadding) {
  EXPECT_EQ(base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64UrlEncode("f"), "Zg");
  EXPECT_EQ(base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(base64UrlEncode(""), "");
}

TEST(WebhookBase64Url, DecodesUnpaddedText) {
  EXPECT_EQ(base64UrlDecode("-_8"), std::optional<std::string>("\xfb\xff"));
  EXPECT_EQ(base64UrlDecode("Zg"), std::optional<std::string>("f"));
  EXPECT_EQ(base64UrlDecode("Zm9vYg"), std::optional<std::string>("foob"));
  EXPECT_EQ(base64UrlDecode(""), std::optional<std::string>(""));
}

TEST(WebhookBase64Url, RefusesPaddingTheStandardAlphabetAndAStrayCharacter) {
  EXPECT_FALSE(base64UrlDecode("Zg=="));
  EXPECT_FALSE(base64UrlDecode("+/8"));
  EXPECT_FALSE(base64UrlDecode("Zm9vY"));  // 4k+1 characters: not a whole byte
  EXPECT_FALSE(base64UrlDecode("Zm 9v"));
}
