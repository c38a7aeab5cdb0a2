#pragma once
// How a session reads a request, apart from its socket: the parser with the
// size limits, and the answer a failed read gets. HttpSession reads with
// these; so does the HTTP fuzz target (test/fuzz), which feeds the parser
// bytes from memory.

#include <boost/beast/core/error.hpp>
#include <optional>

#include "server/Http.hpp"
#include "server/ServerConfig.hpp"

namespace irsa::server {

using RequestParser = http::request_parser<http::string_body>;

// A fresh parser for the next request of a connection, bounded by the header
// and body size limits.
void startRequestParser(std::optional<RequestParser>& parser, const ServerLimits& limits);

// The answer to a read that failed with `ec`: 413 past the body limit, 431
// past the header limit, 400 for malformed HTTP; nullopt when the connection
// just closes unanswered (the peer went away, a timeout).
std::optional<Response> readErrorResponse(const boost::beast::error_code& ec, const ServerLimits& limits);

}  // namespace irsa::server
