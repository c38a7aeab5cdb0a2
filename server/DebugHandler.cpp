#include "server/DebugHandler.hpp"

#include <map>

#include "util/JsonWriter.hpp"

namespace irsa::server {

void DebugHandler::cache(Request&&, const Responder& respond) const {
  // Sorted, so the output is stable between calls.
  std::map<std::string, webhook::ResolvedIdentity> entries;
  serviceAccounts_.forEach([&](const webhook::ServiceAccount& sa) {
    // Listed even without a role, like the reference's cache dump.
    webhook::ResolvedIdentity identity = resolver_.serviceAccountParameters(sa);
    identity.roleArn = resolver_.roleArnOf(sa).value_or("");
    entries.emplace(std::string(sa.key()), std::move(identity));
  });
  util::JsonBuffer buffer;
  util::JsonPrettyWriter w(buffer);
  w.SetIndent(' ', 1);
  w.StartObject();
  for (const auto& [key, id] : entries) {
    w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
    w.StartObject();
    w.Key("RoleARN");
    w.String(id.roleArn.c_str(), static_cast<rapidjson::SizeType>(id.roleArn.size()));
    w.Key("Audience");
    w.String(id.audience.c_str(), static_cast<rapidjson::SizeType>(id.audience.size()));
    w.Key("UseRegionalSTS");
    w.Bool(id.regionalSts);
    w.Key("TokenExpiration");
    w.Int64(id.tokenExpiration);
    w.EndObject();
  }
  w.EndObject();
  respond(
      makeResponse(http::status::ok, "application/json", std::string(buffer.GetString(), buffer.GetSize())));
}

void DebugHandler::clear(Request&&, const Responder& respond) {
  serviceAccounts_.clear();
  respond(makeResponse(http::status::ok, "text/plain; charset=utf-8", ""));
}

void DebugHandler::deny(Request&&, const Responder& respond) {
  // The reference's shape: a response without a uid (the request is not
  // read), allowed false and a Status with a message.
  util::JsonBuffer buffer;
  util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("response");
  w.StartObject();
  w.Key("uid");
  w.String("");
  w.Key("allowed");
  w.Bool(false);
  w.Key("status");
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  w.EndObject();
  w.Key("message");
  w.String("denied by /debug/alpha/deny");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  respond(
      makeResponse(http::status::ok, "application/json", std::string(buffer.GetString(), buffer.GetSize())));
}

void DebugHandler::internalError(Request&&, const Responder& respond) {
  respond(makeResponse(http::status::internal_server_error, "text/plain; charset=utf-8",
                       "internal error from /debug/alpha/500\n"));
}

}  // namespace irsa::server
