#pragma once
// What in a pod keeps IRSA from working even when STS would allow the role:
// doctor's sixth check, on the pod as the webhook leaves it (`mutate
// --output pod`, or `kubectl get pod -o yaml`). Warnings, not denials.

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace irsa::oidc {

// Each finding is one line saying what is wrong and what to do.
// `stsVpcEndpointRegions`: the regions where the pod's VPC has an STS
// interface endpoint, which only the regional STS endpoint goes through.
std::vector<std::string> lintPod(const rapidjson::Value& pod,
                                 const std::vector<std::string>& stsVpcEndpointRegions);

}  // namespace irsa::oidc
