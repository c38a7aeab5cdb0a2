// `irsa-webhook doctor`: what STS would answer to AssumeRoleWithWebIdentity
// for a token, offline, check by check (oidc/Doctor). The token is a file
// (--token), or the one a pod of a ServiceAccount would get, asked of the
// cluster (--service-account). Exit 0 when STS would allow it, 1 when it
// would deny it, 2 on bad input or when the cluster cannot be asked. The
// token is never printed: only its claims.
#include <charconv>
#include <iomanip>
#include <iostream>
#include <iterator>

#include "cli/Commands.hpp"
#include "cli/DoctorServiceAccount.hpp"
#include "cli/MutationFlags.hpp"
#include "cli/OfflineMutation.hpp"
#include "oidc/Doctor.hpp"
#include "oidc/TrustPolicy.hpp"
#include "util/Files.hpp"
#include "util/FlagSet.hpp"
#include "util/GoParse.hpp"
#include "webhook/IdentityResolver.hpp"

namespace irsa::cli {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1024 * 1024;  // a JWKS or policy is a few KiB
constexpr int kNameWidth = 14;

struct DoctorFlags {
  std::string tokenFile;
  std::string jwksFile;
  std::string trustPolicyFile;
  std::string providerArn;
  std::vector<std::string> clientIds{"sts.amazonaws.com"};
  std::string discoveryFile;
  std::string roleArn;
  std::string now;
  std::string podFile;
  std::vector<std::string> stsVpcEndpointRegions;
  // The live form: the ServiceAccount, its cluster, and the webhook's flags.
  std::string serviceAccount;
  ClusterFlags cluster;
  webhook::MutationSettings webhookSettings;
};

void addDoctorFlags(util::FlagSet& flags, DoctorFlags& f) {
  flags.addString(
      "token", &f.tokenFile,
      "the service-account token (a file, or - for stdin); this or --service-account is required");
  flags.addString(
      "service-account", &f.serviceAccount,
      "NAMESPACE/NAME: check the token a pod of this ServiceAccount would get, from the cluster's "
      "TokenRequest API (with the webhook's --annotation-prefix, --token-audience and "
      "--token-expiration)");
  addClusterFlags(flags, f.cluster);
  addTokenShapeFlags(flags, f.webhookSettings);
  flags.addString("jwks", &f.jwksFile, "the issuer's published JWKS (keys.json); required");
  flags.addString("trust-policy", &f.trustPolicyFile, "the role's trust policy document (JSON); required");
  flags.addString(
      "provider-arn", &f.providerArn,
      "the IAM OIDC provider, arn:aws:iam::ACCOUNT:oidc-provider/ISSUER (default: the only one the "
      "trust policy federates)");
  flags.addList("client-id", &f.clientIds, "the IAM provider's client IDs (audiences)");
  flags.addString("discovery", &f.discoveryFile, "the issuer's published /.well-known/openid-configuration");
  flags.addString(
      "role-arn", &f.roleArn,
      "the role the pod assumes (its account must hold the provider; default with --service-account: "
      "the role its annotation names)");
  flags.addString("now", &f.now, "the time to check at: RFC 3339 or seconds since the epoch (default: now)");
  flags.addString("pod", &f.podFile, "the pod as the webhook left it (YAML or JSON), for the pod lints");
  flags.addList("sts-vpc-endpoint-region", &f.stsVpcEndpointRegions,
                "regions where the pod's VPC has an STS interface endpoint (for the regional-STS lint)");
  for (const char* name : {"token", "service-account", "jwks", "trust-policy", "provider-arn", "discovery",
                           "role-arn", "now", "pod"})
    flags.noDefault(name);
}

int usageError(const std::string& message) {
  std::cerr << "irsa-webhook doctor: " << message << "\n";
  return kExitUsage;
}

util::Result<std::string> readInput(const std::string& path, const std::string& flag, std::size_t maxBytes) {
  if (path == "-") {
    std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    if (text.size() > maxBytes)
      return util::fail(flag + " -: more than " + std::to_string(maxBytes) + " bytes");
    return text;
  }
  auto text = util::readTextFile(path, maxBytes);
  if (!text) return text.failure().within(flag);
  return text;
}

util::Result<std::chrono::system_clock::time_point> parseNow(const std::string& text) {
  if (text.empty()) return std::chrono::system_clock::now();
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size()) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
  }
  auto parsed = util::goParseRfc3339(text);
  if (!parsed) return parsed.failure().within("--now");
  return std::chrono::system_clock::time_point(*parsed);
}

void printReport(const oidc::DoctorReport& report, const DoctorFlags& flags) {
  std::cout << "doctor: a token of " << (report.subject.empty() ? "(no sub)" : report.subject);
  if (!flags.roleArn.empty()) std::cout << " for " << flags.roleArn;
  std::cout << "\n";
  for (const oidc::Check& check : report.checks) {
    const std::string indent(6 + kNameWidth, ' ');
    std::cout << oidc::checkStatusName(check.status) << "  " << std::left << std::setw(kNameWidth)
              << check.name;
    for (std::size_t i = 0; i < check.details.size(); ++i)
      std::cout << (i == 0 ? "" : indent) << check.details[i] << "\n";
    if (check.details.empty()) std::cout << "\n";
    if (!check.stsError.empty()) std::cout << indent << "STS: " << check.stsError << "\n";
  }
  if (auto denial = report.denial()) {
    std::cout << "DENIED: STS answers " << *denial << "\n";
  } else {
    std::cout << "ALLOWED: STS would issue credentials"
              << (flags.roleArn.empty() ? "" : " for " + flags.roleArn) << "\n";
  }
}

// The token of the live form, with what was asked printed first. The
// ServiceAccount's role becomes --role-arn when that is not given.
util::Result<std::string> tokenFromCluster(DoctorFlags& f) {
  auto ref = parseServiceAccountRef(f.serviceAccount);
  if (!ref) return ref.failure().within("--service-account");
  webhook::MutationSettings& settings = f.webhookSettings;
  if (settings.annotationPrefix.empty()) return util::fail("--annotation-prefix must not be empty");
  settings.tokenExpiration = webhook::clampTokenExpiration(settings.tokenExpiration);
  auto cluster = ClusterClient::create(f.cluster);
  if (!cluster) return cluster.failure();
  auto issued = serviceAccountToken(**cluster, *ref, settings);
  if (!issued) return issued.failure();
  const std::string key = ref->ns + "/" + ref->name;
  std::cout << "doctor: the token a pod of ServiceAccount " << key << " gets, from the TokenRequest API"
            << " (audience " << issued->audience << ", " << issued->expirationSeconds << " s)\n";
  for (const std::string& note : issued->notes)
    std::cout << "doctor: note: " << note << "\n";
  if (!issued->roleArn) {
    std::cout << "doctor: note: ServiceAccount " << key << " has no " << settings.annotationPrefix
              << "/role-arn annotation: the webhook gives its pods no role\n";
  } else if (f.roleArn.empty()) {
    f.roleArn = *issued->roleArn;
  }
  return std::move(issued->token);
}

}  // namespace

int doctorCommand(const std::vector<std::string>& args) {
  DoctorFlags f;
  util::FlagSet flags("doctor");
  addDoctorFlags(flags, f);
  if (auto status = flags.parse(args); !status) return usageError(status.error());
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (f.tokenFile.empty() == f.serviceAccount.empty()) {
    return usageError(f.tokenFile.empty() ? "--token or --service-account is required"
                                          : "give --token or --service-account, not both");
  }
  for (const auto& [value, name] :
       {std::pair{&f.jwksFile, "--jwks"}, {&f.trustPolicyFile, "--trust-policy"}}) {
    if (value->empty()) return usageError(std::string(name) + " is required");
  }
  if (f.clientIds.empty()) return usageError("--client-id: give at least one");
  auto now = parseNow(f.now);
  if (!now) return usageError(now.error());

  oidc::DoctorInput input;
  input.clientIds = f.clientIds;
  input.now = *now;
  input.stsVpcEndpointRegions = f.stsVpcEndpointRegions;
  const std::pair<std::string*, std::pair<const std::string*, const char*>> files[] = {
      {&input.jwks, {&f.jwksFile, "--jwks"}},
      {&input.trustPolicy, {&f.trustPolicyFile, "--trust-policy"}},
  };
  for (const auto& [target, source] : files) {
    auto text = readInput(*source.first, source.second, kMaxDocumentBytes);
    if (!text) return usageError(text.error());
    *target = std::move(*text);
  }
  auto provider = f.providerArn.empty() ? oidc::trustedProvider(input.trustPolicy)
                                        : oidc::parseProviderArn(f.providerArn);
  if (!provider) {
    return usageError(f.providerArn.empty()
                          ? "--trust-policy: " + provider.error() + " (or give --provider-arn)"
                          : provider.failure().within("--provider-arn").message);
  }
  input.provider = std::move(*provider);
  if (!f.discoveryFile.empty()) {
    auto text = readInput(f.discoveryFile, "--discovery", kMaxDocumentBytes);
    if (!text) return usageError(text.error());
    input.discovery = std::move(*text);
  }
  auto token =
      f.serviceAccount.empty() ? readInput(f.tokenFile, "--token", kMaxDocumentBytes) : tokenFromCluster(f);
  if (!token) return usageError(token.error());
  input.token = std::move(*token);
  if (!f.roleArn.empty()) input.roleArn = f.roleArn;
  std::optional<rapidjson::Document> pod;
  if (!f.podFile.empty()) {
    auto loaded = loadPod(f.podFile);
    if (!loaded) return usageError(loaded.failure().within("--pod").message);
    pod = std::move(*loaded);
    input.pod = &*pod;
  }

  auto report = oidc::runDoctor(input);
  if (!report) return usageError(report.error());
  printReport(*report, f);
  return report->denial() ? kExitFailure : kExitOk;
}

}  // namespace irsa::cli
