#pragma once
// HTTP types shared by the listener, sessions and handlers.

#include <boost/beast/http.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace irsa::server {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Handlers answer through this, from any thread, exactly once.
using Responder = std::function<void(Response)>;

Response makeResponse(http::status status, std::string_view contentType, std::string body);
// A JSON Kubernetes Status body for an error.
Response makeErrorResponse(http::status status, std::string_view message);

}  // namespace irsa::server
