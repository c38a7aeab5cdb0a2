#include "oidc/ProviderArn.hpp"

#include <algorithm>
#include <array>

#include "util/LogFormat.hpp"

namespace irsa::oidc {
namespace {

constexpr std::string_view kExpected =
    "expected arn:<partition>:iam::<12-digit account>:oidc-provider/<issuer host[/path]>";
constexpr std::string_view kService = ":iam::";
constexpr std::string_view kResource = ":oidc-provider/";

// The partitions IAM has (DESIGN.md, --compose-role-arn, plus aws-iso-e/f).
constexpr std::array<std::string_view, 8> kPartitions = {"aws",       "aws-cn",    "aws-us-gov", "aws-iso",
                                                         "aws-iso-b", "aws-iso-e", "aws-iso-f",  "aws-eusc"};

util::Error invalid(std::string_view text, std::string_view what) {
  std::string message = "invalid OIDC provider ARN ";
  util::appendGoQuoted(message, text);
  message += ": ";
  message += what;
  message += "; ";
  message += kExpected;
  return util::fail(std::move(message));
}

bool isSpaceOrControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u <= 0x20 || u == 0x7f;
}

}  // namespace

util::Result<ProviderArn> parseProviderArn(std::string_view text) {
  if (text.empty()) return invalid(text, "it is empty");
  if (std::any_of(text.begin(), text.end(), isSpaceOrControl)) {
    return invalid(text, "it contains whitespace or a control character");
  }
  if (!text.starts_with("arn:")) return invalid(text, "it does not start with \"arn:\"");
  std::string_view rest = text.substr(4);
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return invalid(text, "it has no service");
  const std::string_view partition = rest.substr(0, colon);
  if (std::find(kPartitions.begin(), kPartitions.end(), partition) == kPartitions.end()) {
    return invalid(text, "unknown partition \"" + std::string(partition) + "\"");
  }
  rest = rest.substr(colon);
  if (!rest.starts_with(kService)) {
    return invalid(text, "the service must be iam, with an empty region");
  }
  rest = rest.substr(kService.size());
  const std::size_t accountEnd = rest.find(':');
  const std::string_view account = rest.substr(0, accountEnd);
  if (account.size() != 12 ||
      !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid(text, "the account must be 12 digits");
  }
  rest = accountEnd == std::string_view::npos ? std::string_view() : rest.substr(accountEnd);
  if (!rest.starts_with(kResource)) return invalid(text, "the resource must be oidc-provider/<issuer>");
  const std::string_view issuer = rest.substr(kResource.size());
  if (issuer.empty()) return invalid(text, "the issuer is empty");
  if (issuer.find("://") != std::string_view::npos) {
    return invalid(text, "the issuer must not have a scheme (IAM drops https://)");
  }
  if (issuer.front() == '/') return invalid(text, "the issuer has no host");
  if (issuer.back() == '/') return invalid(text, "the issuer ends with '/'");
  return ProviderArn{std::string(partition), std::string(account), std::string(issuer), std::string(text)};
}

std::string conditionKey(const ProviderArn& provider, std::string_view claim) {
  std::string key = provider.issuerHostPath;
  key += ':';
  key += claim;
  return key;
}

}  // namespace irsa::oidc
