#include "kube/ContainerCredentialsFile.hpp"

#include "util/Files.hpp"
#include "webhook/IdentityInputs.hpp"

namespace irsa::kube {

util::Result<ContainerCredentialsFile> ContainerCredentialsFile::load(const std::string& path) {
  auto text = util::readTextFile(path);
  if (!text) return text.failure();
  auto parsed = webhook::parseContainerCredentialsFile(path, *text);
  if (!parsed) return parsed.failure();
  return ContainerCredentialsFile{std::move(*parsed), text->empty()};
}

}  // namespace irsa::kube
