#include "bench/TargetUrl.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>

namespace irsa::bench {

std::string TargetUrl::hostHeader() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = v6 ? "[" + host + "]" : host;
  if (port != "443") out += ":" + port;
  return out;
}

util::Result<TargetUrl> TargetUrl::parse(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return util::Result<TargetUrl>(util::fail("invalid --url \"" + std::string(url) + "\": " + why));
  };
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return bad("want https://HOST[:PORT]/PATH (the webhook serves TLS only)");
  TargetUrl out;
  out.text = std::string(url);
  std::string_view rest = url.substr(kScheme.size());
  const auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.find('@') != std::string_view::npos) return bad("user information is not supported");
  std::string_view portText;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("junk after the IPv6 address");
      portText = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) portText = authority.substr(colon + 1);
  }
  if (out.host.empty()) return bad("no host");
  out.port = "443";
  if (!portText.empty() || authority.ends_with(":")) {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || ptr != portText.data() + portText.size() || port == 0 || port > 65535) {
      return bad("port must be 1-65535");
    }
    out.port = std::to_string(port);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(out.host, ec);
  out.hostIsIp = !ec;
  return out;
}

}  // namespace irsa::bench
