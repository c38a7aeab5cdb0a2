#pragma once
// The webhook URL a run targets: https only (the webhook serves TLS only),
// an IP literal or a host name, a port (443 by default), and the request
// target sent verbatim (`/mutate?timeout=10s` is what a kube-apiserver sends).

#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::bench {

struct TargetUrl {
  std::string text;    // as given
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" by default
  std::string target;  // path and query, "/" at least
  bool hostIsIp{false};

  // The Host header: host[:port], IPv6 in brackets.
  std::string hostHeader() const;

  static util::Result<TargetUrl> parse(std::string_view url);
};

}  // namespace irsa::bench
