#pragma once
// Maps method + path to a handler; answers 404 for an unknown path and 405
// (with Allow) for a known path with the wrong method.

#include <map>
#include <string>
#include <string_view>

#include "server/Http.hpp"

namespace irsa::server {

class Router {
 public:
  using Handler = std::function<void(Request&&, Responder)>;

  void add(http::verb method, std::string path, Handler handler);

  // The metrics label for a request's path: the route, or "other", so that
  // scanners cannot blow up the metric's cardinality.
  std::string_view pathLabel(std::string_view target) const;

  void route(Request&& req, Responder respond) const;

 private:
  std::map<std::string, std::map<http::verb, Handler>, std::less<>> routes_;
};

// The path of a request target, without the query.
std::string_view targetPath(std::string_view target);

}  // namespace irsa::server
