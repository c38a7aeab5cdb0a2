#pragma once
// The API server URL of a kubeconfig cluster or --kube-api, split into what a
// connection needs. Only https is spoken: a plain-http API server would send
// bearer tokens in the clear.

#include <string>
#include <string_view>

#include "util/Result.hpp"

namespace irsa::kube {

struct ServerUrl {
  std::string host;      // without brackets, also for IPv6 ("::1")
  std::string port;      // "443" when the URL names none
  std::string basePath;  // "" or "/prefix" (no trailing slash)
};

// Accepts "https://host[:port][/path]" and, as client-go does for TLS
// configs, "host[:port][/path]" without a scheme. Refuses other schemes,
// user info, queries and fragments.
util::Result<ServerUrl> parseServerUrl(std::string_view url);

// "host:port", with brackets around an IPv6 host (Host header, logs).
std::string joinHostPort(const std::string& host, const std::string& port);

}  // namespace irsa::kube
