// `irsa-webhook trust-policy from-cluster`: for each role that a
// ServiceAccount's role-arn annotation names, the trust policy admitting
// exactly the ServiceAccounts annotated with it (and the audiences their
// tokens carry). The whole cluster's view of what Kubeflow's profile
// controller keeps per namespace, as one JSON object keyed by role ARN.
#include <rapidjson/document.h>

#include <cctype>
#include <iostream>
#include <map>
#include <set>

#include "cli/ClusterClient.hpp"
#include "cli/Commands.hpp"
#include "kube/ServiceAccountFile.hpp"
#include "oidc/PolicyJson.hpp"
#include "oidc/TrustPolicy.hpp"
#include "util/FlagSet.hpp"
#include "webhook/AnnotationValues.hpp"
#include "webhook/Annotations.hpp"
#include "webhook/Json.hpp"

namespace irsa::cli {
namespace {

constexpr const char* kListPage = "/api/v1/serviceaccounts?limit=500";
constexpr unsigned kMaxListDepth = 64;

struct RoleTrust {
  std::set<std::string> subjects;  // NS:SA
  std::set<std::string> audiences;
};

int fail(const std::string& message, int code) {
  std::cerr << "irsa-webhook trust-policy from-cluster: " << message << "\n";
  return code;
}

void warn(const std::string& message) {
  std::cerr << "irsa-webhook trust-policy from-cluster: warning: " << message << "\n";
}

// Percent-encodes a continue token for a query string.
std::string queryEscape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

// Every ServiceAccount of the cluster, a page at a time over one client.
util::Result<std::vector<webhook::ServiceAccount>> listServiceAccounts(const ClusterFlags& cluster,
                                                                       std::string_view prefix) {
  auto client = ClusterClient::create(cluster);
  if (!client) return client.failure();
  std::vector<webhook::ServiceAccount> all;
  std::string next;
  do {
    const std::string target =
        next.empty() ? kListPage : std::string(kListPage) + "&continue=" + queryEscape(next);
    auto body = (*client)->get(target);
    if (!body) return body.failure();
    auto page = kube::ServiceAccountFile::parse(*body, prefix);
    if (!page) return page.failure().within("GET /api/v1/serviceaccounts");
    all.insert(all.end(), std::make_move_iterator(page->begin()), std::make_move_iterator(page->end()));
    rapidjson::Document doc;
    if (auto parsed = webhook::parseJson(doc, *body, kMaxListDepth); !parsed) return parsed.failure();
    const rapidjson::Value* metadata = webhook::objectMember(doc, "metadata");
    next = metadata != nullptr ? std::string(webhook::stringMember(*metadata, "continue")) : "";
  } while (!next.empty());
  return all;
}

// The account of `arn:<partition>:iam::<account>:role/…`.
std::string_view roleAccount(std::string_view roleArn) {
  const auto start = roleArn.find("::");
  if (start == std::string_view::npos) return {};
  const auto end = roleArn.find(':', start + 2);
  return end == std::string_view::npos ? std::string_view() : roleArn.substr(start + 2, end - start - 2);
}

}  // namespace

int trustPolicyFromClusterCommand(const std::vector<std::string>& args) {
  ClusterFlags cluster;
  std::string providerText;
  std::string serviceAccountsFile;
  std::string prefix(webhook::kDefaultAnnotationPrefix);
  std::string defaultAudience(oidc::kDefaultAudience);
  util::FlagSet flags("trust-policy from-cluster");
  addClusterFlags(flags, cluster);
  flags.addString("provider-arn", &providerText, "the IAM OIDC provider of the cluster's issuer; required");
  flags.addString("service-accounts", &serviceAccountsFile,
                  "read the ServiceAccounts from this YAML/JSON file (kubectl get sa -A -o yaml) instead");
  flags.addString("annotation-prefix", &prefix, "the webhook's --annotation-prefix");
  flags.addString("token-audience", &defaultAudience,
                  "the webhook's --token-audience: the audience of tokens without an audience annotation");
  flags.noDefault("provider-arn");
  if (auto status = flags.parse(args); !status) return fail(status.error(), kExitUsage);
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (providerText.empty()) return fail("--provider-arn is required", kExitUsage);
  auto provider = oidc::parseProviderArn(providerText);
  if (!provider) return fail(provider.failure().within("--provider-arn").message, kExitUsage);

  auto accounts = serviceAccountsFile.empty() ? listServiceAccounts(cluster, prefix)
                                              : kube::ServiceAccountFile::load(serviceAccountsFile, prefix);
  if (!accounts) return fail(accounts.error(), serviceAccountsFile.empty() ? kExitFailure : kExitUsage);

  const webhook::AnnotationKeys keys(prefix);
  std::map<std::string, RoleTrust> roles;
  for (const webhook::ServiceAccount& sa : *accounts) {
    const auto role = sa.annotation(keys.roleArn());
    if (!role) continue;
    const std::string where = std::string(sa.ns()) + "/" + std::string(sa.name());
    if (!webhook::matchesRoleArnPattern(*role)) {
      warn("skipping " + where + ": " + keys.roleArn() + " \"" + std::string(*role) +
           "\" is not an IAM role ARN");
      continue;
    }
    RoleTrust& trust = roles[std::string(*role)];
    trust.subjects.insert(std::string(sa.ns()) + ":" + std::string(sa.name()));
    const auto audience = sa.annotation(keys.audience());
    trust.audiences.insert(audience && !webhook::audienceProblem(*audience) ? std::string(*audience)
                                                                            : defaultAudience);
  }
  if (roles.empty()) warn("no ServiceAccount has a " + keys.roleArn() + " annotation");

  rapidjson::Document out(rapidjson::kObjectType);
  auto& alloc = out.GetAllocator();
  for (const auto& [role, trust] : roles) {
    if (roleAccount(role) != provider->account) {
      warn(role + " is not in the provider's account " + provider->account +
           ": STS looks the provider up in the role's account");
    }
    std::vector<oidc::Subject> subjects;
    for (const std::string& text : trust.subjects) {
      auto subject = oidc::parseSubject(text);
      if (!subject) return fail(subject.error(), kExitFailure);  // names from the apiserver are valid
      subjects.push_back(std::move(*subject));
    }
    rapidjson::Document policy;
    const std::string text = oidc::createTrustPolicy(
        *provider, subjects, std::vector<std::string>(trust.audiences.begin(), trust.audiences.end()));
    if (auto parsed = webhook::parseJson(policy, text, kMaxListDepth); !parsed)
      return fail(parsed.error(), kExitFailure);
    out.AddMember(rapidjson::Value(role.c_str(), alloc), rapidjson::Value(policy, alloc), alloc);
  }
  std::cout << oidc::prettyPolicy(out);  // the policies' own format, for the whole map
  return kExitOk;
}

}  // namespace irsa::cli
