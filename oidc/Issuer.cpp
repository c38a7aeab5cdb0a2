#include "oidc/Issuer.hpp"

namespace irsa::oidc {
namespace {

constexpr std::string_view kHttps = "https://";

bool hasSpaceOrControl(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

util::Status validateIssuer(std::string_view issuer) {
  const std::string quoted = "issuer \"" + std::string(issuer) + "\"";
  if (issuer.empty()) return util::fail("the issuer is empty: want https://HOST[/PATH]");
  if (hasSpaceOrControl(issuer)) return util::fail(quoted + " contains a space or control character");
  if (!issuer.starts_with(kHttps)) {
    return util::fail(quoted + " is not https://: IAM registers OIDC providers by https URL only and " +
                      "STS fetches discovery over https, so no provider would match the token's iss");
  }
  const std::string_view rest = issuer.substr(kHttps.size());
  const std::string_view host = rest.substr(0, rest.find('/'));
  if (host.empty()) return util::fail(quoted + " has no host");
  if (rest.find('?') != std::string_view::npos) {
    return util::fail(quoted + " has a query: an IAM provider URL is a host and path, so STS would answer " +
                      "\"No OpenIDConnect provider found\"");
  }
  if (rest.find('#') != std::string_view::npos) {
    return util::fail(quoted +
                      " has a fragment: an IAM provider URL is a host and path, so STS would answer " +
                      "\"No OpenIDConnect provider found\"");
  }
  if (host.find('@') != std::string_view::npos) return util::fail(quoted + " has user info before the host");
  if (host.find(':') != std::string_view::npos) {
    return util::fail(quoted +
                      " has a port: IAM provider URLs take none and STS only fetches on 443, so STS " +
                      "would answer \"No OpenIDConnect provider found\"");
  }
  if (issuer.ends_with('/')) {
    return util::fail(
        quoted + " ends in /: STS compares the token's iss with the provider URL byte for byte " +
        "and IAM provider URLs end without one, so STS would answer \"No OpenIDConnect provider found\"");
  }
  if (rest.find("//") != std::string_view::npos) return util::fail(quoted + " has an empty path segment");
  return util::okStatus();
}

std::string issuerHostPath(std::string_view issuer) {
  if (issuer.starts_with(kHttps)) issuer.remove_prefix(kHttps.size());
  return std::string(issuer);
}

}  // namespace irsa::oidc
