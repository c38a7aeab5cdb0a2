#pragma once
// Turns a ServiceAccount object (from the API or a file) into the compact
// form the cache keeps: namespace, name and the annotations under the prefix.

#include <rapidjson/document.h>

#include <string_view>

#include "util/Result.hpp"
#include "webhook/ServiceAccount.hpp"

namespace irsa::kube {

// Fails for an object without metadata.name or with non-string annotation
// values. The namespace defaults to "default".
util::Result<webhook::ServiceAccount> serviceAccountFromObject(const rapidjson::Value& object,
                                                               std::string_view annotationPrefix);

// A DNS-1123 subdomain (253 chars max): what Kubernetes accepts as a
// ServiceAccount or namespace name, so safe to put in a URL path.
bool isValidObjectName(std::string_view name);

}  // namespace irsa::kube
