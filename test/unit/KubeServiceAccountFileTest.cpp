#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "kube/ServiceAccountFile.hpp"
#include "test/support/TempDir.hpp"

namespace irsa::kube {
namespace {

using Annotations = std::vector<std::pair<std::string_view, std::string_view>>;

constexpr std::string_view kEks = "eks.amazonaws.com";

TEST(ServiceAccountFileTest, ReadsOneServiceAccountKeepingOnlyPrefixedAnnotations) {
  auto sas = ServiceAccountFile::parse(R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: s3-reader
  namespace: team-a
  labels: {app: x}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/s3-reader
    eks.amazonaws.com/sts-regional-endpoints: "true"
    kubectl.kubernetes.io/last-applied-configuration: "{}"
)",
                                       kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 1u);
  const auto& sa = sas->front();
  EXPECT_EQ(sa.ns(), "team-a");
  EXPECT_EQ(sa.name(), "s3-reader");
  EXPECT_EQ(sa.annotations(),
            (Annotations{{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/s3-reader"},
                         {"eks.amazonaws.com/sts-regional-endpoints", "true"}}));
}

TEST(ServiceAccountFileTest, NamespaceDefaultsToDefault) {
  auto sas = ServiceAccountFile::parse(
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n---\n"
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: \"\"\n",
      kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 2u);
  EXPECT_EQ((*sas)[0].key(), "default/a");
  EXPECT_EQ((*sas)[1].key(), "default/b");
  EXPECT_TRUE((*sas)[0].annotations().empty());
}

TEST(ServiceAccountFileTest, ReadsAListAsKubectlPrintsIt) {
  auto sas = ServiceAccountFile::parse(R"(
apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: one
    namespace: ns1
    annotations:
      eks.amazonaws.com/role-arn: arn:aws:iam::1:role/one
- apiVersion: v1
  kind: ServiceAccount
  metadata: {name: two, namespace: ns2}
)",
                                       kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 2u);
  EXPECT_EQ((*sas)[0].key(), "ns1/one");
  ASSERT_TRUE((*sas)[0].annotation("eks.amazonaws.com/role-arn").has_value());
  EXPECT_EQ(*(*sas)[0].annotation("eks.amazonaws.com/role-arn"), "arn:aws:iam::1:role/one");
  EXPECT_EQ((*sas)[1].key(), "ns2/two");
}

TEST(ServiceAccountFileTest, ReadsAServiceAccountListWhoseItemsHaveNoKind) {
  // The API server's own list response leaves kind/apiVersion off the items.
  auto sas = ServiceAccountFile::parse(R"(
apiVersion: v1
kind: ServiceAccountList
items:
- metadata: {name: a, namespace: x, annotations: {eks.amazonaws.com/audience: aud}}
- metadata: {name: b, namespace: x}
)",
                                       kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 2u);
  EXPECT_EQ((*sas)[0].key(), "x/a");
  EXPECT_EQ((*sas)[0].annotations(), (Annotations{{"eks.amazonaws.com/audience", "aud"}}));
  EXPECT_EQ((*sas)[1].key(), "x/b");
}

TEST(ServiceAccountFileTest, ReadsJson) {
  auto sas = ServiceAccountFile::parse(R"({
  "apiVersion": "v1", "kind": "ServiceAccountList",
  "items": [{"metadata": {"name": "j", "namespace": "js",
             "annotations": {"eks.amazonaws.com/token-expiration": "3600", "other/x": "y"}}}]
})",
                                       kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 1u);
  EXPECT_EQ(sas->front().key(), "js/j");
  EXPECT_EQ(sas->front().annotations(), (Annotations{{"eks.amazonaws.com/token-expiration", "3600"}}));
}

TEST(ServiceAccountFileTest, EmptyFileHoldsNoServiceAccounts) {
  for (const char* text : {"", "# nothing yet\n", "---\n---\n", "apiVersion: v1\nkind: List\nitems: []\n"}) {
    auto sas = ServiceAccountFile::parse(text, kEks);
    ASSERT_TRUE(sas.ok()) << sas.error();
    EXPECT_TRUE(sas->empty()) << text;
  }
}

TEST(ServiceAccountFileTest, WrongKindIsAnErrorNamingKindAndDocument) {
  auto sas = ServiceAccountFile::parse(
      "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
      kEks);
  ASSERT_FALSE(sas.ok());
  EXPECT_EQ(sas.error(), "document 2: kind \"ConfigMap\" is not ServiceAccount, ServiceAccountList or List");

  auto inList = ServiceAccountFile::parse(
      "apiVersion: v1\nkind: List\nitems:\n- {kind: ServiceAccount, metadata: {name: a}}\n"
      "- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
      kEks);
  ASSERT_FALSE(inList.ok());
  EXPECT_EQ(inList.error(), "document 1, items[1]: kind \"Pod\" is not ServiceAccount");

  auto noKind = ServiceAccountFile::parse("metadata: {name: a}\n", kEks);
  ASSERT_FALSE(noKind.ok());
  EXPECT_EQ(noKind.error(), "document 1: missing kind");

  auto notObject = ServiceAccountFile::parse("- a\n", kEks);
  ASSERT_FALSE(notObject.ok());
  EXPECT_EQ(notObject.error(), "document 1: expected an object, found list");
}

TEST(ServiceAccountFileTest, OtherApiVersionIsAnError) {
  auto sas = ServiceAccountFile::parse("apiVersion: v2\nkind: ServiceAccount\nmetadata: {name: a}\n", kEks);
  ASSERT_FALSE(sas.ok());
  EXPECT_EQ(sas.error(), "document 1: apiVersion \"v2\" is not v1");
}

TEST(ServiceAccountFileTest, MissingNameIsAnError) {
  for (const char* text : {"apiVersion: v1\nkind: ServiceAccount\nmetadata: {namespace: x}\n",
                           "apiVersion: v1\nkind: ServiceAccount\n",
                           "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: \"\"}\n"}) {
    auto sas = ServiceAccountFile::parse(text, kEks);
    ASSERT_FALSE(sas.ok()) << text;
    EXPECT_EQ(sas.error(), "document 1: ServiceAccount has no metadata.name");
  }
}

TEST(ServiceAccountFileTest, CustomPrefixKeepsOnlyItsOwnAnnotations) {
  auto sas = ServiceAccountFile::parse(R"(
apiVersion: v1
kind: ServiceAccount
metadata:
  name: a
  annotations:
    example.com/role-arn: arn:aws:iam::1:role/mine
    eks.amazonaws.com/role-arn: arn:aws:iam::1:role/not-mine
    example.comx/role-arn: lookalike
    sub.example.com/role-arn: lookalike
    example.com: no-slash
)",
                                       "example.com");
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 1u);
  EXPECT_EQ(sas->front().annotations(), (Annotations{{"example.com/role-arn", "arn:aws:iam::1:role/mine"}}));
}

TEST(ServiceAccountFileTest, AnnotationValuesMustBeStrings) {
  auto quoted = ServiceAccountFile::parse(
      "kind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
      "    eks.amazonaws.com/sts-regional-endpoints: \"true\"\n"
      "    eks.amazonaws.com/token-expiration: \"0600\"\n",
      kEks);
  ASSERT_TRUE(quoted.ok()) << quoted.error();
  EXPECT_EQ(quoted->front().annotations(), (Annotations{{"eks.amazonaws.com/sts-regional-endpoints", "true"},
                                                        {"eks.amazonaws.com/token-expiration", "0600"}}));

  auto unquoted = ServiceAccountFile::parse(
      "kind: ServiceAccount\nmetadata:\n  name: a\n  annotations:\n"
      "    eks.amazonaws.com/sts-regional-endpoints: true\n",
      kEks);
  ASSERT_FALSE(unquoted.ok());
  EXPECT_EQ(
      unquoted.error(),
      "document 1 (default/a): annotation \"eks.amazonaws.com/sts-regional-endpoints\" must be a string, "
      "found boolean (quote the value)");
}

TEST(ServiceAccountFileTest, UnquotedYesNoOnOffAreBooleansAsInKubernetes) {
  // kubectl rejects both documents the same way: `n` and `yes` are booleans.
  auto ns = ServiceAccountFile::parse("kind: ServiceAccount\nmetadata: {name: a, namespace: n}\n", kEks);
  ASSERT_FALSE(ns.ok());
  EXPECT_EQ(ns.error(), "document 1: metadata.namespace must be a string, found boolean (quote the value)");

  auto annotation = ServiceAccountFile::parse(
      "kind: ServiceAccount\nmetadata:\n  name: a\n  annotations: {eks.amazonaws.com/sts-regional-endpoints: "
      "yes}\n",
      kEks);
  ASSERT_FALSE(annotation.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, "must be a string, found boolean", annotation.error());

  auto quoted =
      ServiceAccountFile::parse("kind: ServiceAccount\nmetadata: {name: \"y\", namespace: \"n\"}\n", kEks);
  ASSERT_TRUE(quoted.ok()) << quoted.error();
  EXPECT_EQ(quoted->front().key(), "n/y");
}

TEST(ServiceAccountFileTest, LaterDuplicateWins) {
  auto sas = ServiceAccountFile::parse(
      "kind: ServiceAccount\nmetadata: {name: a, annotations: {eks.amazonaws.com/role-arn: old}}\n---\n"
      "kind: ServiceAccount\nmetadata: {name: b}\n---\n"
      "kind: List\nitems:\n- kind: ServiceAccount\n"
      "  metadata: {name: a, namespace: default, annotations: {eks.amazonaws.com/role-arn: new}}\n",
      kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 2u);
  EXPECT_EQ((*sas)[0].key(), "default/a");
  EXPECT_EQ((*sas)[0].annotations(), (Annotations{{"eks.amazonaws.com/role-arn", "new"}}));
  EXPECT_EQ((*sas)[1].key(), "default/b");
}

TEST(ServiceAccountFileLoadTest, LoadsAFile) {
  const testsupport::TempDir dir;
  const std::string path = dir.file("sa.yaml");
  testsupport::writeFileInPlace(path, "kind: ServiceAccount\nmetadata: {name: a, namespace: ns1}\n");
  auto sas = ServiceAccountFile::load(path, kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 1u);
  EXPECT_EQ(sas->front().key(), "ns1/a");
}

TEST(ServiceAccountFileLoadTest, ErrorsNameThePath) {
  const testsupport::TempDir dir;
  const std::string missing = dir.file("missing.yaml");
  auto none = ServiceAccountFile::load(missing, kEks);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error(), "read " + missing + ": No such file or directory");

  const std::string pod = dir.file("pod.yaml");
  testsupport::writeFileInPlace(pod, "apiVersion: v1\nkind: Pod\n");
  auto wrongKind = ServiceAccountFile::load(pod, kEks);
  ASSERT_FALSE(wrongKind.ok());
  EXPECT_EQ(wrongKind.error(),
            pod + ": document 1: kind \"Pod\" is not ServiceAccount, ServiceAccountList or List");

  const std::string bad = dir.file("bad.yaml");
  testsupport::writeFileInPlace(bad, "kind: ServiceAccount\nmetadata: [\n");
  auto invalid = ServiceAccountFile::load(bad, kEks);
  ASSERT_FALSE(invalid.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, bad + ": invalid YAML at line", invalid.error());
}

TEST(ServiceAccountFileExampleTest, ShippedExampleLoads) {
  auto sas = ServiceAccountFile::load(std::string(IRSA_SOURCE_DIR) + "/examples/serviceaccounts.yaml", kEks);
  ASSERT_TRUE(sas.ok()) << sas.error();
  ASSERT_EQ(sas->size(), 3u);
  EXPECT_EQ((*sas)[0].key(), "default/s3-reader");
  EXPECT_EQ((*sas)[0].annotations(),
            (Annotations{{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/s3-reader"}}));
  EXPECT_EQ((*sas)[1].key(), "billing/billing-exporter");
  EXPECT_EQ((*sas)[1].annotations(),
            (Annotations{{"eks.amazonaws.com/role-arn", "arn:aws:iam::111122223333:role/billing-exporter"},
                         {"eks.amazonaws.com/audience", "sts.amazonaws.com"},
                         {"eks.amazonaws.com/sts-regional-endpoints", "true"},
                         {"eks.amazonaws.com/token-expiration", "3600"}}));
  EXPECT_FALSE((*sas)[2].annotation("eks.amazonaws.com/role-arn").has_value());
  EXPECT_TRUE((*sas)[2].annotations().empty());
}

}  // namespace
}  // namespace irsa::kube
