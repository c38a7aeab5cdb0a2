#pragma once
// Standard base64 (RFC 4648, with padding): AdmissionResponse.patch is
// []byte, which Kubernetes encodes this way in JSON.

#include <optional>
#include <string>
#include <string_view>

namespace irsa::webhook {

void base64Append(std::string& out, std::string_view bytes);
std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

}  // namespace irsa::webhook
