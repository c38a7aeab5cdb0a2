#include "server/SessionErrors.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>

#include "util/Log.hpp"

namespace irsa::server {

namespace http = boost::beast::http;

bool isBenignSessionError(const boost::beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == boost::asio::error::eof ||
         ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::operation_aborted ||
         ec == boost::beast::error::timeout || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::broken_pipe || ec == http::error::partial_message;
}

bool isHttpSyntaxError(const boost::beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_method).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message &&
         ec != http::error::need_more && ec != http::error::body_limit && ec != http::error::header_limit &&
         ec != http::error::buffer_overflow;
}

void logSessionError(std::string_view msg, const boost::beast::error_code& ec, std::source_location where) {
  if (isBenignSessionError(ec)) {
    // Peers closing is routine: a debug detail (V4) only.
    if (util::Log::enabled(4, where))
      util::Log::write(util::LogSeverity::kInfo, 4, msg, {{"err", ec.message()}}, where);
  } else {
    util::Log::write(util::LogSeverity::kInfo, 0, msg, {{"err", ec.message()}}, where);
  }
}

}  // namespace irsa::server
