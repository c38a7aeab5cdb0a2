// `irsa-webhook trust-policy create|add|remove`: IAM role trust policies for
// IRSA, written and edited as text (oidc/TrustPolicy.hpp); this file does
// the reading and writing (from-cluster has a file of its own).
#include <sys/stat.h>

#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "cli/Commands.hpp"
#include "oidc/TrustPolicy.hpp"
#include "util/Files.hpp"
#include "util/FlagSet.hpp"

namespace irsa::cli {
namespace {

// IAM's own limit is 2048 characters (4096 on request); far above that is
// not a trust policy.
constexpr std::size_t kMaxPolicyBytes = 1024 * 1024;

constexpr const char* kUsage =
    "Usage: irsa-webhook trust-policy <subcommand> [flags]\n"
    "\n"
    "IAM role trust policies for IRSA (sts:AssumeRoleWithWebIdentity).\n"
    "\n"
    "Subcommands:\n"
    "  create   print a trust policy for an OIDC provider and service accounts\n"
    "  add      add a service account (NS:SA, wildcards * ? allowed) to a trust policy\n"
    "  remove   remove a service account from a trust policy\n"
    "  from-cluster  print, per role the cluster's ServiceAccounts name, the policy admitting exactly them\n"
    "\n"
    "Run 'irsa-webhook trust-policy <subcommand> --help' for its flags.\n";

int fail(const std::string& sub, const std::string& message, int code) {
  std::cerr << "irsa-webhook trust-policy " << sub << ": " << message << "\n";
  return code;
}

// Parses flags; nullopt means "go on", else the exit code to return.
std::optional<int> parseFlags(util::FlagSet& flags, const std::string& sub,
                              const std::vector<std::string>& args) {
  if (auto status = flags.parse(args); !status) return fail(sub, status.error(), kExitUsage);
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  return std::nullopt;
}

int create(const std::vector<std::string>& args) {
  std::string arn;
  std::vector<std::string> subjectTexts;
  std::vector<std::string> audiences;
  util::FlagSet flags("trust-policy create");
  flags.addString("provider-arn", &arn,
                  "the IAM OIDC provider, arn:aws:iam::<account>:oidc-provider/<issuer>; required");
  flags.addList(
      "subject", &subjectTexts,
      "service account NS:SA (or system:serviceaccount:NS:SA; * ? as wildcards); repeatable, required");
  flags.addList("audience", &audiences, "token audience; repeatable (default sts.amazonaws.com)");
  flags.noDefault("provider-arn");
  if (auto done = parseFlags(flags, "create", args)) return *done;
  if (arn.empty()) return fail("create", "--provider-arn is required", kExitUsage);
  // A policy without a sub condition would trust every service account of the cluster.
  if (subjectTexts.empty()) return fail("create", "--subject is required", kExitUsage);
  auto provider = oidc::parseProviderArn(arn);
  if (!provider) return fail("create", provider.error(), kExitUsage);
  std::vector<oidc::Subject> subjects;
  for (const auto& text : subjectTexts) {
    auto subject = oidc::parseSubject(text);
    if (!subject) return fail("create", subject.error(), kExitUsage);
    subjects.push_back(std::move(*subject));
  }
  if (audiences.empty()) audiences.emplace_back(oidc::kDefaultAudience);
  for (const auto& audience : audiences) {
    if (audience.empty()) return fail("create", "--audience must not be empty", kExitUsage);
  }
  std::cout << oidc::createTrustPolicy(*provider, subjects, audiences);
  return kExitOk;
}

int edit(const std::string& sub, const std::vector<std::string>& args) {
  std::string arn;
  std::string subjectText;
  std::string file;
  util::FlagSet flags("trust-policy " + sub);
  flags.addString("subject", &subjectText,
                  "service account NS:SA (or system:serviceaccount:NS:SA; * ? as wildcards); required");
  flags.addString("provider-arn", &arn,
                  "the OIDC provider whose statement to edit (default: the only one the policy trusts)");
  flags.addString("file", &file, "edit this policy file in place (atomically); default: stdin to stdout");
  if (auto done = parseFlags(flags, sub, args)) return *done;
  if (subjectText.empty()) return fail(sub, "--subject is required", kExitUsage);
  auto subject = oidc::parseSubject(subjectText);
  if (!subject) return fail(sub, subject.error(), kExitUsage);
  std::optional<oidc::ProviderArn> provider;
  if (flags.wasSet("provider-arn")) {
    auto parsed = oidc::parseProviderArn(arn);
    if (!parsed) return fail(sub, parsed.error(), kExitUsage);
    provider = std::move(*parsed);
  }

  std::string policy;
  if (file.empty()) {
    std::ostringstream in;
    in << std::cin.rdbuf();
    policy = std::move(in).str();
    if (policy.size() > kMaxPolicyBytes)
      return fail(sub, "the policy on stdin is larger than 1 MiB", kExitUsage);
  } else {
    auto read = util::readTextFile(file, kMaxPolicyBytes);
    if (!read) return fail(sub, read.error(), kExitFailure);
    policy = std::move(*read);
  }
  auto edited = sub == "add" ? oidc::addSubject(policy, *subject, provider)
                             : oidc::removeSubject(policy, *subject, provider);
  if (!edited) return fail(sub, file.empty() ? edited.error() : file + ": " + edited.error(), kExitUsage);
  if (file.empty()) {
    std::cout << *edited;
    return kExitOk;
  }
  if (*edited == policy) return kExitOk;
  struct stat st {};
  const mode_t mode = ::stat(file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  if (auto written = util::writeFileAtomically(file, *edited, mode); !written) {
    return fail(sub, written.error(), kExitFailure);
  }
  return kExitOk;
}

}  // namespace

int trustPolicyCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string& sub = args.front();
  if (sub == "-h" || sub == "--help" || sub == "-help" || sub == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  const std::vector<std::string> rest(std::next(args.begin()), args.end());
  if (sub == "create") return create(rest);
  if (sub == "add" || sub == "remove") return edit(sub, rest);
  if (sub == "from-cluster") return trustPolicyFromClusterCommand(rest);
  std::cerr << "irsa-webhook trust-policy: unknown subcommand \"" << sub << "\"\n\n" << kUsage;
  return kExitUsage;
}

}  // namespace irsa::cli
