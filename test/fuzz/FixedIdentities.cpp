#include "test/fuzz/FixedIdentities.hpp"

#include <string>

#include "test/fuzz/FuzzCheck.hpp"
#include "webhook/Annotations.hpp"

namespace irsa::fuzz {
namespace {

constexpr std::string_view kConfigMap = R"({
  "cm/app": {"RoleARN": "arn:aws:iam::111122223333:role/cm-app", "Audience": "cm.example",
             "UseRegionalSTS": true, "TokenExpiration": 7200},
  "*/wild": {"RoleARN": "arn:aws:iam::111122223333:role/wild"}
})";

constexpr std::string_view kContainerCredentials = R"({"identities": [
  {"namespace": "default", "serviceAccount": "pod-identity"},
  {"namespace": "default", "serviceAccount": "both"}
]})";

}  // namespace

FixedIdentities::FixedIdentities() {
  settings_.awsDefaultRegion = "us-west-2";
  const webhook::AnnotationKeys keys(settings_.annotationPrefix);
  const std::string role = "arn:aws:iam::111122223333:role/";
  serviceAccounts_.emplace_back(
      "default", "default",
      std::initializer_list<webhook::ServiceAccount::Annotation>{{keys.roleArn(), role + "default"}});
  serviceAccounts_.emplace_back(
      "default", "full",
      std::initializer_list<webhook::ServiceAccount::Annotation>{{keys.roleArn(), role + "full"},
                                                                 {keys.audience(), "sts.example"},
                                                                 {keys.stsRegionalEndpoints(), "true"},
                                                                 {keys.tokenExpiration(), "3600"}});
  serviceAccounts_.emplace_back("default", "bare");
  serviceAccounts_.emplace_back(
      "default", "both",
      std::initializer_list<webhook::ServiceAccount::Annotation>{{keys.roleArn(), role + "both"}});
  std::vector<std::string> warnings;
  auto configMap = webhook::ConfigMapIdentities::parse(kConfigMap, warnings);
  check(configMap.ok() && warnings.empty() && configMap->size() == 2, "the fixed ConfigMap parses");
  configMap_ = std::move(*configMap);
  auto containerCredentials = webhook::ContainerCredentialsConfig::parse(kContainerCredentials);
  check(containerCredentials.ok() && containerCredentials->size() == 2,
        "the fixed container-credentials list parses");
  containerCredentials_ = std::move(*containerCredentials);
}

const webhook::ServiceAccount* FixedIdentities::find(std::string_view ns, std::string_view name) const {
  for (const auto& sa : serviceAccounts_) {
    if (sa.ns() == ns && sa.name() == name) return &sa;
  }
  return nullptr;
}

}  // namespace irsa::fuzz
