#include "server/Http.hpp"

#include "webhook/AdmissionReview.hpp"

namespace irsa::server {

Response makeResponse(http::status status, std::string_view contentType, std::string body) {
  Response res{status, 11};
  res.set(http::field::server, "irsa-webhook");
  res.set(http::field::content_type, contentType);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response makeErrorResponse(http::status status, std::string_view message) {
  const std::string reason(http::obsolete_reason(status));
  return makeResponse(status, "application/json",
                      webhook::encodeErrorStatus(static_cast<int>(status), reason, message));
}

}  // namespace irsa::server
