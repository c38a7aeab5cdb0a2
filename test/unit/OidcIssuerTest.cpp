// oidc/Issuer and oidc/Discovery: the issuer URLs STS can match, and the
// discovery document published for them.
#include <gtest/gtest.h>

#include <string>

#include "oidc/Discovery.hpp"
#include "oidc/Issuer.hpp"

using irsa::oidc::DiscoveryDocument;
using irsa::oidc::issuerHostPath;
using irsa::oidc::parseDiscovery;
using irsa::oidc::validateIssuer;
using irsa::oidc::writeDiscovery;

TEST(OidcIssuer, AcceptsHttpsHostAndPath) {
  for (const char* issuer :
       {"https://oidc.example.com", "https://my-bucket.s3.us-west-2.amazonaws.com/cluster-1",
        "https://d111111abcdef8.cloudfront.net/a/b"}) {
    EXPECT_TRUE(validateIssuer(issuer)) << issuer << ": " << validateIssuer(issuer).error();
  }
}

TEST(OidcIssuer, RefusesWhatStsCannotMatchAndSaysWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "the issuer is empty"},
      {"http://oidc.example.com", "is not https://"},
      {"oidc.example.com", "is not https://"},
      {"https://", "has no host"},
      {"https://oidc.example.com/", "ends in /"},
      {"https://oidc.example.com/x/", "No OpenIDConnect provider found"},
      {"https://oidc.example.com:8443", "has a port"},
      {"https://oidc.example.com?x=1", "has a query"},
      {"https://oidc.example.com/x#k", "has a fragment"},
      {"https://user@oidc.example.com", "user info"},
      {"https://oidc.example.com//x", "empty path segment"},
      {"https://oidc.example .com", "space or control character"},
  };
  for (const auto& [issuer, want] : cases) {
    auto status = validateIssuer(issuer);
    ASSERT_FALSE(status) << issuer;
    EXPECT_NE(status.error().find(want), std::string::npos) << status.error();
  }
}

TEST(OidcIssuer, HostPathIsTheIssuerWithoutTheScheme) {
  EXPECT_EQ(issuerHostPath("https://oidc.example.com/id/1"), "oidc.example.com/id/1");
}

TEST(OidcDiscovery, WritesTheSelfHostedGuidesDocument) {
  const std::string expected = R"({
    "issuer": "https://oidc.example.com/c1",
    "jwks_uri": "https://oidc.example.com/c1/keys.json",
    "authorization_endpoint": "urn:kubernetes:programmatic_authorization",
    "response_types_supported": [
        "id_token"
    ],
    "subject_types_supported": [
        "public"
    ],
    "id_token_signing_alg_values_supported": [
        "RS256"
    ],
    "claims_supported": [
        "sub",
        "iss"
    ]
}
)";
  EXPECT_EQ(
      writeDiscovery(DiscoveryDocument{
          "https://oidc.example.com/c1", irsa::oidc::defaultJwksUri("https://oidc.example.com/c1"), {}}),
      expected);
}

TEST(OidcDiscovery, ListsTheGivenAlgorithms) {
  auto doc =
      parseDiscovery(writeDiscovery(DiscoveryDocument{"https://a", "https://a/k", {"ES256", "RS256"}}));
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->issuer, "https://a");
  EXPECT_EQ(doc->jwksUri, "https://a/k");
  EXPECT_EQ(doc->signingAlgorithms, (std::vector<std::string>{"ES256", "RS256"}));
}

TEST(OidcDiscovery, ParsesTheApiserversDocumentAndRefusesAMalformedOne) {
  auto doc = parseDiscovery(
      R"({"issuer":"https://kubernetes.default.svc","jwks_uri":"https://10.0.0.1:6443/openid/v1/jwks",)"
      R"("response_types_supported":["id_token"],"subject_types_supported":["public"],)"
      R"("id_token_signing_alg_values_supported":["RS256"]})");
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->jwksUri, "https://10.0.0.1:6443/openid/v1/jwks");
  const std::pair<const char*, const char*> cases[] = {
      {"{", "invalid JSON"},
      {"[]", "is a JSON object"},
      {R"({"jwks_uri":"x"})", "has no \"issuer\""},
      {R"({"issuer":"x"})", "has no \"jwks_uri\""},
      {R"({"issuer":1,"jwks_uri":"x"})", "\"issuer\" is not a string"},
  };
  for (const auto& [text, want] : cases) {
    auto bad = parseDiscovery(text);
    ASSERT_FALSE(bad) << text;
    EXPECT_NE(bad.error().find(want), std::string::npos) << bad.error();
  }
}
