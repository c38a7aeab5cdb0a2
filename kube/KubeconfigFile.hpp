#pragma once
// Reads one kubeconfig file (--kubeconfig) the way client-go's clientcmd
// does for the fields this client supports: the current or a named context,
// its cluster (server, CA, tls-server-name, insecure-skip-tls-verify) and its
// user (client certificate, token, tokenFile, an exec credential plugin).
// Relative paths are relative to the kubeconfig's directory. auth-provider
// plugins, basic auth, impersonation and proxies are refused with a clear
// error rather than silently connecting unauthenticated.

#include <string>
#include <string_view>

#include "kube/ClusterConfig.hpp"
#include "util/Result.hpp"

namespace irsa::kube {

// Errors are one line and name the file: "kubeconfig /x: context \"y\" not found".
util::Result<ClusterConfig> readKubeconfig(const std::string& path, const std::string& context);

// readKubeconfig() of a file `path` that holds `text` (read already): the
// same result and errors. Files it names are still read, relative to `path`.
util::Result<ClusterConfig> parseKubeconfig(const std::string& path, std::string_view text,
                                            const std::string& context);

}  // namespace irsa::kube
