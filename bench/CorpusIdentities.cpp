#include "bench/CorpusIdentities.hpp"

#include "util/JsonWriter.hpp"
#include "webhook/Annotations.hpp"

namespace irsa::bench {
namespace {

constexpr const char* kAccount = "111122223333";
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
  // The corpus is served with the default --annotation-prefix.
  const webhook::AnnotationKeys keys(webhook::kDefaultAnnotationPrefix);
  for (const auto& ns : ids.namespaces_) {
    const auto add = [&](std::string name, PodKind kind,
                         std::vector<std::pair<std::string, std::string>> ann) {
      ids.byKind_[static_cast<std::size_t>(kind)].push_back(ids.serviceAccounts_.size());
      ids.serviceAccounts_.push_back({ns, std::move(name), kind, std::move(ann)});
    };
    // The annotation variants a production cluster carries.
    add("api-server", PodKind::kMutated, {{keys.roleArn(), roleArn(ns + "-api-server")}});
    add("queue-worker", PodKind::kMutated,
        {{keys.roleArn(), roleArn(ns + "-queue-worker")}, {keys.audience(), "sts.amazonaws.com"}});
    add("metrics-exporter", PodKind::kMutated,
        {{keys.roleArn(), roleArn(ns + "-metrics-exporter")}, {keys.stsRegionalEndpoints(), "true"}});
    add("report-builder", PodKind::kMutated,
        {{keys.roleArn(), roleArn(ns + "-report-builder")},
         {keys.stsRegionalEndpoints(), "true"},
         {keys.tokenExpiration(), "3600"}});
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
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonPrettyWriter w(buffer);
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
