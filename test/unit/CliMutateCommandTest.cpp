// `irsa-webhook mutate` end to end: runs the built binary (IRSA_BINARY) on
// temporary files and checks stdout, stderr and the exit code.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test/support/CliRun.hpp"
#include "test/support/TempDir.hpp"
#include "webhook/Json.hpp"

namespace fs = std::filesystem;
using irsa::webhook::kDefaultMaxJsonDepth;
using irsa::webhook::parseJson;

namespace {

using RunResult = irsa::testsupport::CliResult;

class CliMutateCommand : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    const fs::path p = dir_.path() / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

  RunResult run(const std::vector<std::string>& args) { return irsa::testsupport::runCli(dir_.path(), args); }

  irsa::testsupport::TempDir dir_;
};

const std::string kRole = "arn:aws:iam::111122223333:role/my-role";

const std::string kPodYaml = R"(apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: default
spec:
  serviceAccountName: my-sa
  containers:
  - name: app
    image: busybox
)";

const std::string kPodJson =
    R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"app","namespace":"default"},)"
    R"("spec":{"serviceAccountName":"my-sa","containers":[{"name":"app","image":"busybox"}]}})";

std::string saYaml(const std::string& ns) {
  return "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: my-sa\n  namespace: " + ns +
         "\n  annotations:\n    eks.amazonaws.com/role-arn: " + kRole + "\n";
}

const std::string kSaJson = R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"my-sa",)"
                            R"("namespace":"default","annotations":{"eks.amazonaws.com/role-arn":")" +
                            kRole + R"("}}})";

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document doc;
  auto status = parseJson(doc, text, kDefaultMaxJsonDepth);
  EXPECT_TRUE(status.ok()) << text;
  return doc;
}

// The value of env var `name` in `env` (an array), or "<absent>".
std::string envValue(const rapidjson::Value& env, const std::string& name) {
  for (const auto& e : env.GetArray()) {
    if (irsa::webhook::stringMember(e, "name") == name)
      return std::string(irsa::webhook::stringMember(e, "value"));
  }
  return "<absent>";
}

// The op of a patch whose path is `path`, or nullptr.
const rapidjson::Value* opAt(const rapidjson::Value& patch, const std::string& path) {
  for (const auto& op : patch.GetArray()) {
    if (irsa::webhook::stringMember(op, "path") == path) return &op;
  }
  return nullptr;
}

void expectOneLineUsageError(const RunResult& r, const std::string& mentions) {
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.back(), '\n') << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr is not one line:\n" << r.err;
  EXPECT_EQ(r.err.rfind("irsa-webhook mutate: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
}

TEST_F(CliMutateCommand, PodWithoutItsServiceAccountGetsAnEmptyPatch) {
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml)});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "[]\n");
}

TEST_F(CliMutateCommand, AnnotatedServiceAccountPrintsAJsonPatch) {
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account",
                write("sa.yaml", saYaml("default"))});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto patch = parsed(r.out);
  ASSERT_TRUE(patch.IsArray()) << r.out;
  for (const auto& op : patch.GetArray())
    EXPECT_EQ(irsa::webhook::stringMember(op, "op"), "add");
  const auto* env = opAt(patch, "/spec/containers/0/env");
  ASSERT_NE(env, nullptr) << r.out;
  EXPECT_EQ(envValue((*env)["value"], "AWS_ROLE_ARN"), kRole);
  EXPECT_EQ(envValue((*env)["value"], "AWS_WEB_IDENTITY_TOKEN_FILE"),
            "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");
  EXPECT_EQ(envValue((*env)["value"], "AWS_REGION"), "<absent>");
  const auto* volumes = opAt(patch, "/spec/volumes");
  ASSERT_NE(volumes, nullptr) << r.out;
  const auto& token = (*volumes)["value"][0]["projected"]["sources"][0]["serviceAccountToken"];
  EXPECT_STREQ(token["audience"].GetString(), "sts.amazonaws.com");
  EXPECT_EQ(token["expirationSeconds"].GetInt64(), 86400);
  EXPECT_NE(opAt(patch, "/spec/containers/0/volumeMounts"), nullptr) << r.out;
}

TEST_F(CliMutateCommand, ValidInputsPrintNothingOnStderr) {
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account",
                write("sa.yaml", saYaml("default"))});
  EXPECT_EQ(r.exitCode, 0);
  EXPECT_EQ(r.err, "");
}

TEST_F(CliMutateCommand, AnnotationValuesAgainstTheirRulesAreWarningsOnStderrOneLineEach) {
  const std::string sa = saYaml("default") + "    eks.amazonaws.com/audience: \"a\\tb\"\n" +
                         "    eks.amazonaws.com/token-expiration: \"5000000000\"\n";
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account", write("sa.yaml", sa),
                "--token-audience", "flag-aud"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err,
            "irsa-webhook mutate: warning: Ignoring service account default/my-sa invalid value for audience "
            "annotation: byte 1 is 0x09, not a visible ASCII character\n"
            "irsa-webhook mutate: warning: Found invalid value for token expiration, using 86400 seconds as "
            "default: 5000000000 is more than 4294967296 (2^32) seconds, the most Kubernetes accepts\n");
  auto patch = parsed(r.out);
  const auto* volumes = opAt(patch, "/spec/volumes");
  ASSERT_NE(volumes, nullptr) << r.out;
  const auto& token = (*volumes)["value"][0]["projected"]["sources"][0]["serviceAccountToken"];
  EXPECT_STREQ(token["audience"].GetString(), "flag-aud");
  EXPECT_EQ(token["expirationSeconds"].GetInt64(), 86400);
}

TEST_F(CliMutateCommand, AWarningWithControlCharactersIsQuotedOnItsLine) {
  const std::string sa =
      "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: my-sa\n  namespace: default\n"
      "  annotations:\n    eks.amazonaws.com/role-arn: \"bad\\nrole\"\n";
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account", write("sa.yaml", sa)});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.err, "irsa-webhook mutate: warning: \"arn is invalid: bad\\nrole\"\n");
  EXPECT_EQ(envValue(parsed(r.out)[1]["value"], "AWS_ROLE_ARN"), "bad\nrole");
}

TEST_F(CliMutateCommand, OutputPodPrintsTheMutatedPod) {
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account",
                write("sa.yaml", saYaml("default")), "--output", "pod"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto pod = parsed(r.out);
  ASSERT_TRUE(pod.IsObject()) << r.out;
  EXPECT_STREQ(pod["kind"].GetString(), "Pod");
  const auto& container = pod["spec"]["containers"][0];
  EXPECT_STREQ(container["image"].GetString(), "busybox");  // untouched fields survive
  ASSERT_TRUE(container.HasMember("env")) << r.out;
  EXPECT_EQ(envValue(container["env"], "AWS_ROLE_ARN"), kRole);
  EXPECT_STREQ(container["volumeMounts"][0]["name"].GetString(), "aws-iam-token");
  EXPECT_STREQ(pod["spec"]["volumes"][0]["name"].GetString(), "aws-iam-token");
}

TEST_F(CliMutateCommand, MutatingTheOutputAgainChangesNothing) {
  const std::string sa = write("sa.yaml", saYaml("default"));
  auto first = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account", sa, "--output",
                    "pod", "--aws-default-region", "eu-west-1", "--sts-regional-endpoint"});
  ASSERT_EQ(first.exitCode, 0) << first.err;
  auto second = run({"mutate", "--pod", write("mutated.json", first.out), "--service-account", sa,
                     "--aws-default-region", "eu-west-1", "--sts-regional-endpoint"});
  EXPECT_EQ(second.exitCode, 0) << second.err;
  EXPECT_EQ(second.out, "[]\n");
}

TEST_F(CliMutateCommand, YamlAndJsonInputsGiveTheSamePatch) {
  auto fromYaml = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account",
                       write("sa.yaml", saYaml("default"))});
  auto fromJson =
      run({"mutate", "--pod", write("pod.json", kPodJson), "--service-account", write("sa.json", kSaJson)});
  ASSERT_EQ(fromYaml.exitCode, 0) << fromYaml.err;
  ASSERT_EQ(fromJson.exitCode, 0) << fromJson.err;
  EXPECT_NE(fromYaml.out, "[]\n");
  EXPECT_EQ(fromYaml.out, fromJson.out);
}

TEST_F(CliMutateCommand, NamespaceFlagOverridesThePodsNamespaceForTheLookup) {
  const std::string pod = write("pod.yaml", kPodYaml);  // namespace: default
  const std::string teamSa = write("sa.yaml", saYaml("team"));
  auto withoutFlag = run({"mutate", "--pod", pod, "--service-account", teamSa});
  EXPECT_EQ(withoutFlag.exitCode, 0) << withoutFlag.err;
  EXPECT_EQ(withoutFlag.out, "[]\n");
  auto withFlag = run({"mutate", "--pod", pod, "--service-account", teamSa, "--namespace", "team"});
  ASSERT_EQ(withFlag.exitCode, 0) << withFlag.err;
  auto patch = parsed(withFlag.out);
  ASSERT_TRUE(patch.IsArray());
  EXPECT_GT(patch.Size(), 0u) << withFlag.out;

  const std::string defaultSa = write("sa-default.yaml", saYaml("default"));
  auto elsewhere = run({"mutate", "--pod", pod, "--service-account", defaultSa, "--namespace=other"});
  EXPECT_EQ(elsewhere.exitCode, 0) << elsewhere.err;
  EXPECT_EQ(elsewhere.out, "[]\n");
}

TEST_F(CliMutateCommand, MutationFlagsShapeTheResult) {
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account",
                write("sa.yaml", saYaml("default")), "--aws-default-region", "us-west-2",
                "--sts-regional-endpoint", "--token-expiration=3600", "--token-audience", "custom-aud",
                "--token-mount-path", "/aws/token-dir"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto patch = parsed(r.out);
  const auto* env = opAt(patch, "/spec/containers/0/env");
  ASSERT_NE(env, nullptr) << r.out;
  EXPECT_EQ(envValue((*env)["value"], "AWS_DEFAULT_REGION"), "us-west-2");
  EXPECT_EQ(envValue((*env)["value"], "AWS_REGION"), "us-west-2");
  EXPECT_EQ(envValue((*env)["value"], "AWS_STS_REGIONAL_ENDPOINTS"), "regional");
  EXPECT_EQ(envValue((*env)["value"], "AWS_WEB_IDENTITY_TOKEN_FILE"), "/aws/token-dir/token");
  const auto* volumes = opAt(patch, "/spec/volumes");
  ASSERT_NE(volumes, nullptr);
  const auto& token = (*volumes)["value"][0]["projected"]["sources"][0]["serviceAccountToken"];
  EXPECT_EQ(token["expirationSeconds"].GetInt64(), 3600);
  EXPECT_STREQ(token["audience"].GetString(), "custom-aud");
}

TEST_F(CliMutateCommand, ContainerCredentialsFileSelectsPodIdentity) {
  auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--output", "pod",
                "--watch-container-credentials-config",
                write("cc.json", R"({"identities":[{"namespace":"default","serviceAccount":"my-sa"}]})")});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto pod = parsed(r.out);
  const auto& env = pod["spec"]["containers"][0]["env"];
  EXPECT_EQ(envValue(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI"), "http://169.254.170.23/v1/credentials");
  EXPECT_EQ(envValue(env, "AWS_ROLE_ARN"), "<absent>");
  EXPECT_STREQ(pod["metadata"]["labels"]["eks.amazonaws.com/pod-identity"].GetString(), "enabled");
}

// --- usage errors: exit 2, one line on stderr ----------------------------------

TEST_F(CliMutateCommand, MissingPodIsAUsageError) {
  expectOneLineUsageError(run({"mutate"}), "--pod");
}

TEST_F(CliMutateCommand, UnreadableFileIsAUsageError) {
  const std::string missing = (dir_.path() / "does-not-exist.yaml").string();
  expectOneLineUsageError(run({"mutate", "--pod", missing}), missing);
  expectOneLineUsageError(run({"mutate", "--pod", dir_.path().string()}), dir_.path().string());
  expectOneLineUsageError(run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account", missing}),
                          missing);
}

TEST_F(CliMutateCommand, InvalidYamlIsAUsageError) {
  const std::string bad = write("bad.yaml", "kind: Pod\nspec: [a, {b\n  : : :\n");
  expectOneLineUsageError(run({"mutate", "--pod", bad}), "bad.yaml");
  const std::string badJson = write("bad.json", R"({"kind":"Pod",)");
  expectOneLineUsageError(run({"mutate", "--pod", badJson}), "bad.json");
}

TEST_F(CliMutateCommand, UnterminatedQuotedScalarIsInvalidYaml) {
  // kubectl (go-yaml) rejects this: "found unexpected end of stream".
  const std::string bad = write("unterminated.yaml", kPodYaml + "  hostname: \"app\n");
  auto r = run({"mutate", "--pod", bad});
  expectOneLineUsageError(r, "unterminated.yaml");
}

TEST_F(CliMutateCommand, ADocumentThatIsNotAPodIsAUsageError) {
  expectOneLineUsageError(run({"mutate", "--pod", write("sa.yaml", saYaml("default"))}), "not a Pod");
  expectOneLineUsageError(run({"mutate", "--pod", write("two.yaml", kPodYaml + "---\n" + kPodYaml)}),
                          "two.yaml");
  expectOneLineUsageError(run({"mutate", "--pod", write("empty.yaml", "")}), "empty.yaml");
}

TEST_F(CliMutateCommand, BadOutputValueIsAUsageError) {
  expectOneLineUsageError(run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--output", "yaml"}),
                          "--output");
}

TEST_F(CliMutateCommand, BadFlagValueIsAUsageError) {
  const std::string pod = write("pod.yaml", kPodYaml);
  expectOneLineUsageError(run({"mutate", "--pod", pod, "--token-expiration", "abc"}), "--token-expiration");
  expectOneLineUsageError(run({"mutate", "--pod", pod, "--sts-regional-endpoint=maybe"}),
                          "--sts-regional-endpoint");
}

TEST_F(CliMutateCommand, TokenExpirationBelow600IsRaisedTo600) {
  // As the reference does at start: 0 and negative values too.
  for (const char* value : {"--token-expiration=0", "--token-expiration=-1", "--token-expiration=599"}) {
    auto r = run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--service-account",
                  write("sa.yaml", saYaml("default")), value});
    ASSERT_EQ(r.exitCode, 0) << value << ": " << r.err;
    auto patch = parsed(r.out);
    const auto* volumes = opAt(patch, "/spec/volumes");
    ASSERT_NE(volumes, nullptr) << r.out;
    const auto& token = (*volumes)["value"][0]["projected"]["sources"][0]["serviceAccountToken"];
    EXPECT_EQ(token["expirationSeconds"].GetInt64(), 600) << value;
  }
}

TEST_F(CliMutateCommand, UnknownFlagIsAUsageError) {
  expectOneLineUsageError(run({"mutate", "--pod", write("pod.yaml", kPodYaml), "--bogus"}), "--bogus");
}

TEST_F(CliMutateCommand, HelpExitsZeroAndListsTheFlags) {
  auto r = run({"mutate", "--help"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("--pod"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--aws-default-region"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
}

TEST_F(CliMutateCommand, VersionExitsZeroAndPrintsAVersion) {
  auto r = run({"--version"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  ASSERT_EQ(r.out.rfind("irsa-webhook ", 0), 0u) << r.out;
  std::string version = r.out.substr(std::string("irsa-webhook ").size());
  ASSERT_FALSE(version.empty());
  EXPECT_EQ(version.back(), '\n');
  version.pop_back();
  EXPECT_FALSE(version.empty());
  EXPECT_EQ(version.find(' '), std::string::npos) << r.out;
}

TEST_F(CliMutateCommand, UnknownCommandExitsTwo) {
  auto r = run({"frobnicate"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("unknown command \"frobnicate\""), std::string::npos) << r.err;
}

}  // namespace
