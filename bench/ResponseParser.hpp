#pragma once
// An HTTP/1.1 response parser for the load generator's hot path: Beast's
// parser machinery, but it keeps only the status and appends the body to a
// string the connection reuses, so reading a response allocates nothing once
// that string has grown (a beast::http::response would allocate its fields).

#include <boost/beast/http/basic_parser.hpp>
#include <string>

namespace irsa::bench {

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;

  // `body` is cleared and receives the body; it must outlive the parser.
  explicit ResponseParser(std::string& body) : body_(body) { body_.clear(); }

  int status() const { return status_; }

 private:
  void on_request_impl(boost::beast::http::verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
    if (length) body_.reserve(static_cast<std::size_t>(*length));
  }
  std::size_t on_body_impl(string_view data, error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view data, error_code&) override {
    body_.append(data.data(), data.size());
    return data.size();
  }
  void on_finish_impl(error_code&) override {}

  std::string& body_;
  int status_{0};
};

}  // namespace irsa::bench
