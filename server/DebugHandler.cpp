#include "server/DebugHandler.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <map>

namespace irsa::server {

void DebugHandler::handle(Request&&, Responder respond) const {
  // Sorted, so the output is stable between calls.
  std::map<std::string, webhook::ResolvedIdentity> entries;
  serviceAccounts_.forEach([&](const webhook::ServiceAccount& sa) {
    // Listed even without a role, like the reference's cache dump.
    webhook::ResolvedIdentity identity = resolver_.serviceAccountParameters(sa);
    identity.roleArn = resolver_.roleArnOf(sa).value_or("");
    entries.emplace(std::string(sa.key()), std::move(identity));
  });
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
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
  respond(makeResponse(http::status::ok, "application/json", std::string(buffer.GetString(), buffer.GetSize())));
}

}  // namespace irsa::server
