#include "kube/ServerUrl.hpp"

#include <algorithm>
#include <cctype>

namespace irsa::kube {
namespace {

bool allDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

util::Result<ServerUrl> parse(std::string_view url, std::string_view rest) {
  const auto bad = [&](const std::string& why) {
    return util::fail("server URL \"" + std::string(url) + "\": " + why);
  };
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("a query or fragment is not allowed");
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not allowed");
  if (authority.empty()) return bad("no host");

  ServerUrl out;
  std::string_view port;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unclosed '[' in the host");
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after ']'");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return bad("an IPv6 address must be in brackets");
    }
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return bad("empty port");
    }
  }
  if (out.host.empty()) return bad("no host");
  if (!port.empty()) {
    if (!allDigits(port) || port.size() > 5 || std::stoi(std::string(port)) == 0 ||
        std::stoi(std::string(port)) > 65535) {
      return bad("invalid port \"" + std::string(port) + "\"");
    }
  }
  out.port = port.empty() ? "443" : std::string(port);
  while (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  out.basePath = std::string(path);
  return out;
}

}  // namespace

util::Result<ServerUrl> parseServerUrl(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return parse(url, url);
  std::string lower(url.substr(0, scheme));
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower != "https") {
    return util::fail("server URL \"" + std::string(url) + "\": scheme \"" + lower +
                      "\" is not supported (only https)");
  }
  return parse(url, url.substr(scheme + 3));
}

std::string joinHostPort(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

}  // namespace irsa::kube
