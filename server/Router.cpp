#include "server/Router.hpp"

namespace irsa::server {

std::string_view targetPath(std::string_view target) {
  const auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

void Router::add(http::verb method, std::string path, Handler handler) {
  routes_[std::move(path)][method] = std::move(handler);
}

std::string_view Router::pathLabel(std::string_view target) const {
  auto it = routes_.find(targetPath(target));
  return it == routes_.end() ? std::string_view("other") : std::string_view(it->first);
}

void Router::route(Request&& req, Responder respond) const {
  auto it = routes_.find(targetPath(req.target()));
  if (it == routes_.end()) {
    respond(makeErrorResponse(http::status::not_found, "no such path"));
    return;
  }
  auto handler = it->second.find(req.method());
  if (handler == it->second.end()) {
    std::string allow;
    for (const auto& [verb, _] : it->second) {
      if (!allow.empty()) allow += ", ";
      allow += std::string(http::to_string(verb));
    }
    Response res = makeErrorResponse(http::status::method_not_allowed, "method not allowed; use " + allow);
    res.set(http::field::allow, allow);
    respond(std::move(res));
    return;
  }
  handler->second(std::move(req), std::move(respond));
}

}  // namespace irsa::server
