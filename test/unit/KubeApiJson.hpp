#pragma once
// The JSON a Kubernetes API server sends, built with a writer, for the Kube*
// tests: objects (metadata only), list pages, watch events, Status, bookmarks.

#include <string>
#include <utility>
#include <vector>

#include "util/JsonWriter.hpp"

namespace irsa::kube::testing {

using Annotations = std::vector<std::pair<std::string, std::string>>;

// An object with only metadata (name, namespace if not empty, resourceVersion,
// annotations), which is all the kube/ code reads.
inline std::string objectJson(const std::string& ns, const std::string& name,
                              const std::string& resourceVersion, const Annotations& annotations = {}) {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("metadata");
  w.StartObject();
  w.Key("name");
  w.String(name);
  if (!ns.empty()) {
    w.Key("namespace");
    w.String(ns);
  }
  w.Key("resourceVersion");
  w.String(resourceVersion);
  if (!annotations.empty()) {
    w.Key("annotations");
    w.StartObject();
    for (const auto& [k, v] : annotations) {
      w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      w.String(v);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

// A list page: {"metadata":{resourceVersion, continue},"items":[...]}.
inline std::string listJson(const std::vector<std::string>& items, const std::string& resourceVersion,
                            const std::string& continueToken = "") {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("List");
  w.Key("metadata");
  w.StartObject();
  w.Key("resourceVersion");
  w.String(resourceVersion);
  if (!continueToken.empty()) {
    w.Key("continue");
    w.String(continueToken);
  }
  w.EndObject();
  w.Key("items");
  w.StartArray();
  for (const auto& item : items)
    w.RawValue(item.data(), item.size(), rapidjson::kObjectType);
  w.EndArray();
  w.EndObject();
  return buffer.GetString();
}

inline std::string eventJson(const std::string& type, const std::string& object) {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("type");
  w.String(type);
  w.Key("object");
  w.RawValue(object.data(), object.size(), rapidjson::kObjectType);
  w.EndObject();
  return buffer.GetString();
}

// A metav1.Status, as in an ERROR watch event or a failed request's body.
inline std::string statusJson(int code, const std::string& reason, const std::string& message) {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("Status");
  w.Key("apiVersion");
  w.String("v1");
  w.Key("status");
  w.String("Failure");
  w.Key("message");
  w.String(message);
  w.Key("reason");
  w.String(reason);
  w.Key("code");
  w.Int(code);
  w.EndObject();
  return buffer.GetString();
}

// A bookmark carries only metadata.resourceVersion, as the API server sends it.
inline std::string bookmarkJson(const std::string& resourceVersion) {
  irsa::util::JsonBuffer buffer;
  irsa::util::JsonWriter w(buffer);
  w.StartObject();
  w.Key("kind");
  w.String("ServiceAccount");
  w.Key("metadata");
  w.StartObject();
  w.Key("resourceVersion");
  w.String(resourceVersion);
  w.EndObject();
  w.EndObject();
  const std::string object = buffer.GetString();
  return eventJson("BOOKMARK", object);
}

}  // namespace irsa::kube::testing
