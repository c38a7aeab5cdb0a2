// webhook/JsonPatchApplier (RFC 6902 add/remove/replace/test with RFC 6901
// pointers) and webhook/Patch, the writer side of the same format.
#include <gtest/gtest.h>

#include <string>

#include "webhook/Json.hpp"
#include "webhook/JsonPatchApplier.hpp"
#include "webhook/Patch.hpp"

using irsa::webhook::appendPointerToken;
using irsa::webhook::applyJsonPatch;
using irsa::webhook::kDefaultMaxJsonDepth;
using irsa::webhook::parseJson;
using irsa::webhook::Patch;
using irsa::webhook::toJson;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  auto status = parseJson(doc, text, kDefaultMaxJsonDepth);
  EXPECT_TRUE(status.ok()) << text << ": " << (status.ok() ? "" : status.error());
  return doc;
}

// Applies `patch` to `document`; returns the result, or "error: <message>".
std::string applyPatch(const std::string& document, const std::string& patch) {
  rapidjson::Document doc = parse(document);
  rapidjson::Document ops = parse(patch);
  auto status = applyJsonPatch(doc, ops);
  if (!status) return "error: " + status.error();
  return toJson(doc);
}

bool fails(const std::string& document, const std::string& patch) {
  return applyPatch(document, patch).rfind("error: ", 0) == 0;
}

// --- add -------------------------------------------------------------------

TEST(WebhookJsonPatch, AddCreatesAnObjectMember) {
  EXPECT_EQ(applyPatch(R"({"a":1})", R"([{"op":"add","path":"/b","value":{"c":[2]}}])"),
            R"({"a":1,"b":{"c":[2]}})");
}

TEST(WebhookJsonPatch, AddReplacesAnExistingObjectMember) {
  EXPECT_EQ(applyPatch(R"({"a":1})", R"([{"op":"add","path":"/a","value":"x"}])"), R"({"a":"x"})");
}

TEST(WebhookJsonPatch, AddInsertsAtAnArrayIndex) {
  EXPECT_EQ(applyPatch(R"({"l":[1,3]})", R"([{"op":"add","path":"/l/1","value":2}])"), R"({"l":[1,2,3]})");
  EXPECT_EQ(applyPatch(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/0","value":0}])"), R"({"l":[0,1,2]})");
  // Index == size appends.
  EXPECT_EQ(applyPatch(R"({"l":[1,2]})", R"([{"op":"add","path":"/l/2","value":3}])"), R"({"l":[1,2,3]})");
}

TEST(WebhookJsonPatch, AddWithDashAppends) {
  EXPECT_EQ(applyPatch(R"({"l":[1]})",
                       R"([{"op":"add","path":"/l/-","value":2},{"op":"add","path":"/l/-","value":3}])"),
            R"({"l":[1,2,3]})");
  EXPECT_EQ(applyPatch(R"({"l":[]})", R"([{"op":"add","path":"/l/-","value":{"x":1}}])"),
            R"({"l":[{"x":1}]})");
}

TEST(WebhookJsonPatch, AddIntoNestedArraysOfObjects) {
  EXPECT_EQ(
      applyPatch(R"({"spec":{"containers":[{"name":"a"},{"name":"b","env":[]}]}})",
                 R"([{"op":"add","path":"/spec/containers/1/env/-","value":{"name":"K","value":"V"}}])"),
      R"({"spec":{"containers":[{"name":"a"},{"name":"b","env":[{"name":"K","value":"V"}]}]}})");
}

TEST(WebhookJsonPatch, EmptyPathReplacesTheRoot) {
  EXPECT_EQ(applyPatch(R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])"), "[1]");
  EXPECT_EQ(applyPatch(R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])"), R"({"b":2})");
}

TEST(WebhookJsonPatch, EmptyPatchChangesNothing) {
  EXPECT_EQ(applyPatch(R"({"a":1})", "[]"), R"({"a":1})");
}

// --- replace / remove / test -------------------------------------------------

TEST(WebhookJsonPatch, ReplaceAnObjectMemberAndAnArrayElement) {
  EXPECT_EQ(
      applyPatch(
          R"({"a":1,"l":[1,2]})",
          R"([{"op":"replace","path":"/a","value":[true]},{"op":"replace","path":"/l/1","value":"two"}])"),
      R"({"a":[true],"l":[1,"two"]})");
}

TEST(WebhookJsonPatch, RemoveAnObjectMemberAndAnArrayElement) {
  EXPECT_EQ(applyPatch(R"({"a":1,"b":2,"l":[1,2,3]})",
                       R"([{"op":"remove","path":"/a"},{"op":"remove","path":"/l/1"}])"),
            R"({"b":2,"l":[1,3]})");
}

TEST(WebhookJsonPatch, TestPassesOnAnEqualValueAndChangesNothing) {
  EXPECT_EQ(applyPatch(R"({"a":{"b":[1,"x"]}})", R"([{"op":"test","path":"/a","value":{"b":[1,"x"]}}])"),
            R"({"a":{"b":[1,"x"]}})");
  EXPECT_EQ(applyPatch(R"({"l":[5]})", R"([{"op":"test","path":"/l/0","value":5}])"), R"({"l":[5]})");
}

TEST(WebhookJsonPatch, TestFailsOnADifferentOrMissingValue) {
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"test","path":"/a","value":2}])"));
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"test","path":"/a","value":"1"}])"));
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"test","path":"/b","value":1}])"));
  EXPECT_TRUE(fails(R"({"l":[1]})", R"([{"op":"test","path":"/l/1","value":1}])"));
}

TEST(WebhookJsonPatch, AFailedTestStopsTheOperationsAfterIt) {
  rapidjson::Document doc = parse(R"({"a":1})");
  rapidjson::Document ops =
      parse(R"([{"op":"test","path":"/a","value":2},{"op":"add","path":"/b","value":3}])");
  EXPECT_FALSE(applyJsonPatch(doc, ops).ok());
  EXPECT_FALSE(doc.HasMember("b"));
}

// --- RFC 6901 escaping ---------------------------------------------------------

TEST(WebhookJsonPatch, PointerEscapesAreDecoded) {
  const std::string doc = R"({"a/b":1,"m~n":2,"~1":3})";
  EXPECT_EQ(applyPatch(doc, R"([{"op":"replace","path":"/a~1b","value":10}])"),
            R"({"a/b":10,"m~n":2,"~1":3})");
  EXPECT_EQ(applyPatch(doc, R"([{"op":"replace","path":"/m~0n","value":20}])"),
            R"({"a/b":1,"m~n":20,"~1":3})");
  // "~01" is "~1", not "/": ~0 is decoded first and not re-scanned.
  EXPECT_EQ(applyPatch(doc, R"([{"op":"remove","path":"/~01"}])"), R"({"a/b":1,"m~n":2})");
}

TEST(WebhookJsonPatch, AddWithAnEscapedKeyCreatesTheUnescapedName) {
  EXPECT_EQ(
      applyPatch(
          R"({"metadata":{"labels":{}}})",
          R"([{"op":"add","path":"/metadata/labels/eks.amazonaws.com~1pod-identity","value":"enabled"}])"),
      R"({"metadata":{"labels":{"eks.amazonaws.com/pod-identity":"enabled"}}})");
}

TEST(WebhookJsonPatch, BadEscapesAreErrors) {
  EXPECT_TRUE(fails(R"({"a~2":1})", R"([{"op":"remove","path":"/a~2"}])"));
  EXPECT_TRUE(fails(R"({"a~":1})", R"([{"op":"remove","path":"/a~"}])"));
}

// --- errors -------------------------------------------------------------------

TEST(WebhookJsonPatch, MissingPathsAreErrors) {
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"add","path":"/x/y","value":1}])"));
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"replace","path":"/x","value":1}])"));
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"remove","path":"/x"}])"));
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"add","path":"/a/b","value":1}])"));  // parent is a number
  EXPECT_NE(applyPatch(R"({"a":1})", R"([{"op":"remove","path":"/x"}])").find("/x"), std::string::npos);
}

TEST(WebhookJsonPatch, BadArrayIndexesAreErrors) {
  const std::string doc = R"({"l":[1,2]})";
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/3","value":0}])"));      // beyond size
  EXPECT_TRUE(fails(doc, R"([{"op":"replace","path":"/l/2","value":0}])"));  // == size
  EXPECT_TRUE(fails(doc, R"([{"op":"remove","path":"/l/2"}])"));
  EXPECT_TRUE(fails(doc, R"([{"op":"replace","path":"/l/-","value":0}])"));  // "-" only for add
  EXPECT_TRUE(fails(doc, R"([{"op":"remove","path":"/l/-"}])"));
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/01","value":0}])"));  // leading zero
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/-1","value":0}])"));
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/a","value":0}])"));
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/","value":0}])"));
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/99999999999999999999999","value":0}])"));
  EXPECT_TRUE(fails(doc, R"([{"op":"add","path":"/l/5/x","value":0}])"));  // through a bad index
}

TEST(WebhookJsonPatch, MalformedOperationsAreErrors) {
  EXPECT_TRUE(fails("{}", R"({"op":"add","path":"/a","value":1})"));   // not an array
  EXPECT_TRUE(fails("{}", R"([1])"));                                  // op not an object
  EXPECT_TRUE(fails("{}", R"([{"op":"add","value":1}])"));             // no path
  EXPECT_TRUE(fails("{}", R"([{"op":"add","path":5,"value":1}])"));    // path not a string
  EXPECT_TRUE(fails("{}", R"([{"op":"add","path":"a","value":1}])"));  // no leading '/'
  EXPECT_TRUE(fails("{}", R"([{"op":"add","path":"/a"}])"));           // no value
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"replace","path":"/a"}])"));
  EXPECT_TRUE(fails(R"({"a":1})", R"([{"op":"frobnicate","path":"/a","value":1}])"));
  EXPECT_TRUE(fails(R"({"l":[1]})", R"([{"op":"frobnicate","path":"/l/0","value":1}])"));
}

// --- Patch (writer) -----------------------------------------------------------

TEST(WebhookPatch, EmptyPatchIsAnEmptyArray) {
  Patch patch;
  EXPECT_TRUE(patch.empty());
  EXPECT_EQ(patch.size(), 0u);
  EXPECT_EQ(patch.toJson(), "[]");
}

TEST(WebhookPatch, ToJsonWritesAddOperationsInOrder) {
  Patch patch;
  rapidjson::Value env(rapidjson::kArrayType);
  rapidjson::Value var(rapidjson::kObjectType);
  var.AddMember("name", rapidjson::Value("K", patch.allocator()), patch.allocator());
  env.PushBack(var, patch.allocator());
  patch.add("/spec/containers/0/env", std::move(env));
  patch.add("/spec/volumes/-", rapidjson::Value("v\"q", patch.allocator()));
  EXPECT_FALSE(patch.empty());
  EXPECT_EQ(patch.size(), 2u);
  EXPECT_EQ(patch.toJson(), R"([{"op":"add","path":"/spec/containers/0/env","value":[{"name":"K"}]},)"
                            R"({"op":"add","path":"/spec/volumes/-","value":"v\"q"}])");
}

TEST(WebhookPatch, ValuesOutliveTheirSourceDocument) {
  Patch patch;
  {
    rapidjson::Document source = parse(R"({"x":{"y":"long enough string to be heap allocated"}})");
    patch.add("/x", rapidjson::Value(source["x"], patch.allocator()));
  }
  Patch moved = std::move(patch);
  EXPECT_EQ(moved.toJson(),
            R"([{"op":"add","path":"/x","value":{"y":"long enough string to be heap allocated"}}])");
}

TEST(WebhookPatch, AppendPointerTokenEscapesTildeAndSlash) {
  std::string path;
  appendPointerToken(path, "metadata");
  appendPointerToken(path, "labels");
  appendPointerToken(path, "eks.amazonaws.com/pod-identity");
  EXPECT_EQ(path, "/metadata/labels/eks.amazonaws.com~1pod-identity");

  std::string tricky;
  appendPointerToken(tricky, "~1/~0");
  EXPECT_EQ(tricky, "/~01~1~00");

  std::string empty;
  appendPointerToken(empty, "");
  EXPECT_EQ(empty, "/");
}

TEST(WebhookPatch, EscapedTokensRoundTripThroughTheApplier) {
  const std::string key = "a/b~c~1d";
  Patch patch;
  std::string path;
  appendPointerToken(path, key);
  patch.add(path, rapidjson::Value(7));
  rapidjson::Document doc = parse("{}");
  rapidjson::Document ops = parse(patch.toJson());
  ASSERT_TRUE(applyJsonPatch(doc, ops).ok());
  ASSERT_TRUE(doc.HasMember(key.c_str()));
  EXPECT_EQ(doc[key.c_str()].GetInt(), 7);
}

}  // namespace
