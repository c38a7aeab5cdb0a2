#pragma once
// Standard base64 (RFC 4648, with padding): AdmissionResponse.patch is
// []byte, which Kubernetes encodes this way in JSON. And base64url without
// padding (RFC 4648 §5, RFC 7515 §2): the encoding of JWTs and JWK members.

#include <optional>
#include <string>
#include <string_view>

namespace irsa::webhook {

void base64Append(std::string& out, std::string_view bytes);
std::string base64Encode(std::string_view bytes);
std::optional<std::string> base64Decode(std::string_view text);

std::string base64UrlEncode(std::string_view bytes);
// Refuses padding, the standard alphabet's '+' and '/', and a length of 4k+1
// (no whole byte), as a JWT parser must.
std::optional<std::string> base64UrlDecode(std::string_view text);

}  // namespace irsa::webhook
