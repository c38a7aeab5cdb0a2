#include "bench/CorpusIdentities.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace irsa::bench {
namespace {

constexpr const char* kAccount = "111122223333";
constexpr const char* kPrefix = "eks.amazonaws.com/";
constexpr const char* kWildcardName = "shared-reader";

std::string roleArn(const std::string& role) {
  return std::string("arn:aws:iam::") + kAccount + ":role/" + role;
}

}  // namespace

CorpusIdentities CorpusIdentities::standard() {
  CorpusIdentities ids;
  ids.namespaces_ = {"payments", "checkout",  "catalog",       "search",
                     "identity", "analytics", "notifications", "platform"};
  ids.byKind_.resize(kPodKinds.size());
  const std::string p = kPrefix;
  for (const auto& ns : ids.namespaces_) {
    const auto add = [&](std::string name, PodKind kind,
                         std::vector<std::pair<std::string, std::string>> ann) {
      ids.byKind_[static_cast<std::size_t>(kind)].push_back(ids.serviceAccounts_.size());
      ids.serviceAccounts_.push_back({ns, std::move(name), kind, std::move(ann)});
    };
    // The annotation variants a production cluster carries.
    add("api-server", PodKind::kMutated, {{p + "role-arn", roleArn(ns + "-api-server")}});
    add("queue-worker", PodKind::kMutated,
        {{p + "role-arn", roleArn(ns + "-queue-worker")}, {p + "audience", "sts.amazonaws.com"}});
    add("metrics-exporter", PodKind::kMutated,
        {{p + "role-arn", roleArn(ns + "-metrics-exporter")}, {p + "sts-regional-endpoints", "true"}});
    add("report-builder", PodKind::kMutated,
        {{p + "role-arn", roleArn(ns + "-report-builder")},
         {p + "sts-regional-endpoints", "true"},
         {p + "token-expiration", "3600"}});
    add("default", PodKind::kPlain, {});
    add("frontend", PodKind::kPlain, {});
    add("legacy-batch", PodKind::kConfigMap, {});
    add(kWildcardName, PodKind::kConfigMap, {});
  }
  return ids;
}

const BenchServiceAccount& CorpusIdentities::pick(PodKind kind, DeterministicRandom& random) const {
  return serviceAccounts_[random.pick(byKind_[static_cast<std::size_t>(kind)])];
}

std::string CorpusIdentities::configMapConfig() const {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.SetIndent(' ', 2);
  w.StartObject();
  for (const auto& sa : serviceAccounts_) {
    if (sa.kind != PodKind::kConfigMap || sa.name == kWildcardName) continue;
    w.Key((sa.ns + "/" + sa.name).c_str());
    w.StartObject();
    w.Key("RoleARN");
    w.String(roleArn(sa.ns + "-" + sa.name).c_str());
    w.Key("Audience");
    w.String("sts.amazonaws.com");
    w.Key("UseRegionalSTS");
    w.Bool(true);
    w.Key("TokenExpiration");
    w.Int(7200);
    w.EndObject();
  }
  // One entry for every namespace, as clusters map a shared reader role.
  w.Key((std::string("*/") + kWildcardName).c_str());
  w.StartObject();
  w.Key("RoleARN");
  w.String(roleArn(kWildcardName).c_str());
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

}  // namespace irsa::bench
