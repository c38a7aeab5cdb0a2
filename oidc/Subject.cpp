#include "oidc/Subject.hpp"

#include <algorithm>

#include "util/LogFormat.hpp"

namespace irsa::oidc {
namespace {

constexpr std::size_t kMaxLabel = 63;       // k8s.io/apimachinery DNS1123LabelMaxLength
constexpr std::size_t kMaxSubdomain = 253;  // DNS1123SubdomainMaxLength

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool isWildcard(char c) {
  return c == '*' || c == '?';
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool isLabel(std::string_view s) {
  return !s.empty() && s.size() <= kMaxLabel && isAlnum(s.front()) && isAlnum(s.back()) &&
         std::all_of(s.begin(), s.end(), [](char c) { return isAlnum(c) || c == '-'; });
}

// Labels joined by '.', at most 253 characters.
bool isSubdomain(std::string_view s) {
  if (s.empty() || s.size() > kMaxSubdomain) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || !isAlnum(label.front()) || !isAlnum(label.back()) ||
        !std::all_of(label.begin(), label.end(), [](char c) { return isAlnum(c) || c == '-'; })) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// A pattern stands for names, so it may only use their characters besides
// the wildcards; where a wildcard may stand is not restricted.
bool isPattern(std::string_view s, std::size_t maxSize, bool dots) {
  return !s.empty() && s.size() <= maxSize && std::any_of(s.begin(), s.end(), isWildcard) &&
         std::all_of(s.begin(), s.end(), [dots](char c) {
           return isAlnum(c) || c == '-' || isWildcard(c) || (dots && c == '.');
         });
}

util::Error invalid(std::string_view text, std::string_view what) {
  std::string message = "invalid subject ";
  util::appendGoQuoted(message, text);
  message += ": ";
  message += what;
  return util::fail(std::move(message));
}

}  // namespace

util::Result<Subject> parseSubject(std::string_view text) {
  std::string_view rest = text;
  if (rest.starts_with(kServiceAccountSubjectPrefix)) rest.remove_prefix(kServiceAccountSubjectPrefix.size());
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || rest.find(':', colon + 1) != std::string_view::npos) {
    return invalid(text,
                   "expected <namespace>:<service account> or "
                   "system:serviceaccount:<namespace>:<service account>");
  }
  const std::string_view ns = rest.substr(0, colon);
  const std::string_view sa = rest.substr(colon + 1);
  if (!isLabel(ns) && !isPattern(ns, kMaxLabel, false)) {
    return invalid(text,
                   "the namespace must be a DNS-1123 label (at most 63 lower-case letters, digits and '-', "
                   "starting and ending with a letter or digit) or a pattern of those and * ?");
  }
  if (!isSubdomain(sa) && !isPattern(sa, kMaxSubdomain, true)) {
    return invalid(
        text,
        "the service account must be a DNS-1123 subdomain (at most 253 lower-case letters, digits, "
        "'-' and '.') or a pattern of those and * ?");
  }
  std::string full(kServiceAccountSubjectPrefix);
  full += ns;
  full += ':';
  full += sa;
  return Subject{std::string(ns), std::string(sa), std::move(full)};
}

}  // namespace irsa::oidc
