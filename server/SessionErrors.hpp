#pragma once
// The one documented place that decides which connection errors are benign
// (STYLE.md: end_of_stream, stream_truncated, operation_aborted, timeouts)
// and which malformed requests deserve a 400.

#include <boost/beast/core/error.hpp>
#include <source_location>
#include <string_view>

namespace irsa::server {

// True for errors that are a normal end of a connection: logged at debug.
bool isBenignSessionError(const boost::beast::error_code& ec);

// True for HTTP parse errors that should be answered with 400.
bool isHttpSyntaxError(const boost::beast::error_code& ec);

// Logs at debug for benign errors, at info otherwise.
void logSessionError(std::string_view msg, const boost::beast::error_code& ec,
                     std::source_location where = std::source_location::current());

}  // namespace irsa::server
