#pragma once
// Turns a ServiceAccount object (from the API or a file) into the compact
// form the cache keeps: namespace, name and the annotations under the prefix.

#include <rapidjson/document.h>

#include <string_view>

#include "util/Result.hpp"
#include "webhook/ServiceAccount.hpp"

namespace irsa::kube {

// Fails for an object without metadata.name, for a name, namespace or
// annotation value that is not a string (a null one reads as ""), and for
// annotations that are not a map. The namespace defaults to "default".
// Errors start with `where` when given ("document 2, items[0]: ..."); once
// the name is known they name the ServiceAccount ("where (ns/name): ...").
util::Result<webhook::ServiceAccount> serviceAccountFromObject(const rapidjson::Value& object,
                                                               std::string_view annotationPrefix,
                                                               std::string_view where = {});

// An optional string member: absent or null reads as "". Fails with
// "<label> must be a string, found <type>", hinting to quote a boolean or
// number, which in YAML is an unquoted scalar.
util::Result<std::string_view> optionalStringMember(const rapidjson::Value& object, std::string_view name,
                                                    std::string_view label);

// How errors name a value's type: "null", "boolean", "number", "string",
// "list" or "object".
const char* jsonTypeName(const rapidjson::Value& value);

// A DNS-1123 subdomain (253 chars max): what Kubernetes accepts as a
// ServiceAccount or namespace name, so safe to put in a URL path.
bool isValidObjectName(std::string_view name);

}  // namespace irsa::kube
