#include "server/RequestReading.hpp"

#include <cstdint>
#include <string>

#include "server/SessionErrors.hpp"

namespace irsa::server {

void startRequestParser(std::optional<RequestParser>& parser, const ServerLimits& limits) {
  parser.emplace();
  parser->header_limit(static_cast<std::uint32_t>(limits.maxHeaderBytes));
  parser->body_limit(limits.maxRequestBytes);
}

std::optional<Response> readErrorResponse(const boost::beast::error_code& ec, const ServerLimits& limits) {
  if (ec == http::error::body_limit) {
    return makeErrorResponse(http::status::payload_too_large,
                             "request body exceeds " + std::to_string(limits.maxRequestBytes) + " bytes");
  }
  if (ec == http::error::header_limit) {
    return makeErrorResponse(http::status::request_header_fields_too_large, "request header too large");
  }
  if (isHttpSyntaxError(ec)) return makeErrorResponse(http::status::bad_request, "malformed HTTP request");
  return std::nullopt;
}

}  // namespace irsa::server
