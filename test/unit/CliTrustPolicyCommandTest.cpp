// `irsa-webhook trust-policy` end to end: runs the built binary (IRSA_BINARY)
// with stdin from a file and checks stdout, stderr, the exit code and, for
// --file, the edited file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "test/support/CliRun.hpp"
#include "test/support/TempDir.hpp"
#include "test/unit/OidcTrustPolicyFixtures.hpp"

namespace fs = std::filesystem;

namespace {

using RunResult = irsa::testsupport::CliResult;

const std::string kArn = "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster";

// What `create` writes for team-a:app (kCreatedOne).
const std::string& kPolicy = irsa::oidc::policytest::kCreatedOne;

const std::string kPolicyPlusB = R"({
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {
                "Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.example.com/cluster"
            },
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    "oidc.example.com/cluster:aud": "sts.amazonaws.com",
                    "oidc.example.com/cluster:sub": [
                        "system:serviceaccount:team-a:app",
                        "system:serviceaccount:team-b:web"
                    ]
                }
            }
        }
    ]
}
)";

class CliTrustPolicyCommand : public ::testing::Test {
 protected:
  // `irsa-webhook trust-policy args…` with `input` on stdin.
  RunResult run(const std::vector<std::string>& args, const std::string& input = "") {
    std::vector<std::string> argv{"trust-policy"};
    argv.insert(argv.end(), args.begin(), args.end());
    return irsa::testsupport::runCli(dir_.path(), argv, input);
  }

  irsa::testsupport::TempDir dir_;
};

TEST_F(CliTrustPolicyCommand, CreatePrintsThePolicy) {
  const auto r = run({"create", "--provider-arn", kArn, "--subject", "team-a:app"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, kPolicy);
  EXPECT_EQ(r.err, "");
}

TEST_F(CliTrustPolicyCommand, CreateTakesRepeatedSubjectsAndAudiences) {
  const auto r = run({"create", "--provider-arn=" + kArn, "--subject", "team-a:app", "--subject=team-b:web",
                      "--audience", "a", "--audience", "b"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find(R"("oidc.example.com/cluster:aud": [
                        "a",
                        "b"
                    ],)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"system:serviceaccount:team-a:app\",\n                        "
                       "\"system:serviceaccount:team-b:web\"\n"),
            std::string::npos)
      << r.out;
}

TEST_F(CliTrustPolicyCommand, AddReadsStdinAndWritesStdout) {
  const auto r = run({"add", "--subject", "team-b:web"}, kPolicy);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, kPolicyPlusB);
}

TEST_F(CliTrustPolicyCommand, RemoveReadsStdinAndWritesStdout) {
  const auto r =
      run({"remove", "--subject", "system:serviceaccount:team-b:web", "--provider-arn", kArn}, kPolicyPlusB);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, kPolicy);
}

TEST_F(CliTrustPolicyCommand, AddWithFileEditsItInPlaceKeepingItsMode) {
  const fs::path file = dir_.path() / "trust.json";
  irsa::testsupport::writeFileInPlace(file, kPolicy);
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  const auto r = run({"add", "--subject", "team-b:web", "--file", file.string()});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(irsa::testsupport::readFile(file), kPolicyPlusB);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777u, 0640u);
  // The temporary file was renamed over it: nothing else is left beside it.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"cli.stderr", "cli.stdin", "cli.stdout", "trust.json"}));

  const auto again = run({"remove", "--subject", "team-b:web", "--file", file.string()});
  EXPECT_EQ(again.exitCode, 0) << again.err;
  EXPECT_EQ(irsa::testsupport::readFile(file), kPolicy);
}

TEST_F(CliTrustPolicyCommand, UsageListsTheSubcommands) {
  const auto help = run({"--help"});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("  create   "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("  add      "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("  remove   "), std::string::npos) << help.out;
  const auto bare = run({});
  EXPECT_EQ(bare.exitCode, 2);
  EXPECT_EQ(bare.err, help.out);
  const auto subHelp = run({"add", "--help"});
  EXPECT_EQ(subHelp.exitCode, 0);
  EXPECT_NE(subHelp.out.find("--subject"), std::string::npos) << subHelp.out;
  EXPECT_NE(subHelp.out.find("--file"), std::string::npos) << subHelp.out;
}

struct BadInput {
  const char* name;
  std::vector<std::string> args;
  std::string input;
  std::string err;  // the whole of stderr
};

TEST_F(CliTrustPolicyCommand, BadInputExitsTwoWithOneLineOnStderr) {
  const std::string otherArn = "arn:aws:iam::111122223333:oidc-provider/other.example.com";
  const std::vector<BadInput> cases = {
      {"malformed ARN",
       {"create", "--provider-arn", "arn:aws:iam::123:oidc-provider/x", "--subject", "a:b"},
       "",
       "irsa-webhook trust-policy create: invalid OIDC provider ARN \"arn:aws:iam::123:oidc-provider/x\": "
       "the "
       "account must be 12 digits; expected arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer "
       "host[/path]>\n"},
      {"malformed subject",
       {"add", "--subject", "Team:app"},
       kPolicy,
       "irsa-webhook trust-policy add: invalid subject \"Team:app\": the namespace must be a DNS-1123 label "
       "(at "
       "most 63 lower-case letters, digits and '-', starting and ending with a letter or digit) or a pattern "
       "of "
       "those and * ?\n"},
      {"no subject for create",
       {"create", "--provider-arn", kArn},
       "",
       "irsa-webhook trust-policy create: --subject is required\n"},
      {"invalid JSON",
       {"add", "--subject", "a:b"},
       "{\"Statement\": [}",
       "irsa-webhook trust-policy add: trust policy: invalid JSON at offset 15: Invalid value.\n"},
      {"no statement for the provider",
       {"remove", "--subject", "a:b", "--provider-arn", otherArn},
       kPolicy,
       "irsa-webhook trust-policy remove: no Allow statement for sts:AssumeRoleWithWebIdentity has "
       "Principal.Federated " +
           otherArn + "\n"},
      {"unknown flag", {"add", "--subjects", "a:b"}, "", ""},
      {"unknown subcommand", {"from-nowhere"}, "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto r = run(c.args, c.input);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(r.out, "");
    if (!c.err.empty()) {
      EXPECT_EQ(r.err, c.err);
    } else {
      EXPECT_EQ(r.err.rfind("irsa-webhook trust-policy", 0), 0u) << r.err;
    }
  }
}

TEST_F(CliTrustPolicyCommand, AMissingFileIsARuntimeFailureThatNamesIt) {
  const std::string missing = (dir_.path() / "absent.json").string();
  const auto r = run({"add", "--subject", "a:b", "--file", missing});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(r.err.rfind("irsa-webhook trust-policy add: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

}  // namespace
