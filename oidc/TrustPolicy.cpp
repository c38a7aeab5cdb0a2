#include "oidc/TrustPolicy.hpp"

#include <algorithm>

#include "oidc/PolicyJson.hpp"
#include "util/JsonWriter.hpp"

namespace irsa::oidc {
namespace {

void writeString(util::JsonPrettyWriter& writer, std::string_view s) {
  writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

// One value as a string, several as a list: how IAM's console writes them.
void writeValues(util::JsonPrettyWriter& writer, const std::vector<std::string>& values, bool alwaysList) {
  if (values.size() == 1 && !alwaysList) {
    writeString(writer, values.front());
    return;
  }
  writer.StartArray();
  for (const auto& value : values)
    writeString(writer, value);
  writer.EndArray();
}

void writeStatement(util::JsonPrettyWriter& writer, const ProviderArn& provider,
                    const std::vector<std::string>& audiences, const std::vector<std::string>& subjects,
                    bool patterns) {
  writer.StartObject();
  writer.Key("Effect");
  writer.String("Allow");
  writer.Key("Principal");
  writer.StartObject();
  writer.Key("Federated");
  writeString(writer, provider.text);
  writer.EndObject();
  writer.Key("Action");
  writeString(writer, kWebIdentityAction);
  const bool equals = !audiences.empty() || (!patterns && !subjects.empty());
  const bool like = patterns && !subjects.empty();
  if (equals || like) {
    writer.Key("Condition");
    writer.StartObject();
    if (equals) {
      writer.Key("StringEquals");
      writer.StartObject();
      if (!audiences.empty()) {
        writeString(writer, conditionKey(provider, "aud"));
        writeValues(writer, audiences, false);
      }
      if (!patterns && !subjects.empty()) {
        writeString(writer, conditionKey(provider, "sub"));
        writeValues(writer, subjects, true);
      }
      writer.EndObject();
    }
    if (like) {
      writer.Key("StringLike");
      writer.StartObject();
      writeString(writer, conditionKey(provider, "sub"));
      writeValues(writer, subjects, true);
      writer.EndObject();
    }
    writer.EndObject();
  }
  writer.EndObject();
}

void appendOnce(std::vector<std::string>& values, const std::string& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

}  // namespace

std::string createTrustPolicy(const ProviderArn& provider, const std::vector<Subject>& subjects,
                              const std::vector<std::string>& audiences) {
  std::vector<std::string> exact;
  std::vector<std::string> patterns;
  for (const auto& subject : subjects)
    appendOnce(subject.isPattern() ? patterns : exact, subject.text);
  std::vector<std::string> uniqueAudiences;
  for (const auto& audience : audiences)
    appendOnce(uniqueAudiences, audience);

  util::JsonBuffer buffer;
  util::JsonPrettyWriter writer(buffer);
  writer.SetIndent(' ', 4);
  writer.StartObject();
  writer.Key("Version");
  writer.String("2012-10-17");
  writer.Key("Statement");
  writer.StartArray();
  if (!exact.empty() || patterns.empty()) writeStatement(writer, provider, uniqueAudiences, exact, false);
  if (!patterns.empty()) writeStatement(writer, provider, uniqueAudiences, patterns, true);
  writer.EndArray();
  writer.EndObject();
  std::string text = buffer.str();
  text += '\n';
  return text;
}

}  // namespace irsa::oidc
