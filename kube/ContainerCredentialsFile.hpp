#pragma once
// Reads the --watch-container-credentials-config file: `serve` at start and
// on every change, `mutate` once. The one loader of that file.

#include <string>

#include "util/Result.hpp"
#include "webhook/ContainerCredentialsConfig.hpp"

namespace irsa::kube {

struct ContainerCredentialsFile {
  webhook::ContainerCredentialsConfig identities;
  // The file has no bytes at all: `serve` logs that it clears the list, as
  // the reference does, rather than that it loaded one.
  bool empty{false};

  // Fails when the file cannot be read or does not parse; the error names the file.
  static util::Result<ContainerCredentialsFile> load(const std::string& path);
};

}  // namespace irsa::kube
