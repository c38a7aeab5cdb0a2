#include "kube/ExecCredential.hpp"

#include <rapidjson/document.h>

#include "util/JsonWriter.hpp"
#include "webhook/Base64.hpp"
#include "webhook/Json.hpp"

namespace irsa::kube {
namespace {

constexpr unsigned kMaxJsonDepth = 32;

// A fixed-width decimal field; -1 when it is not all digits.
int digits(std::string_view s, std::size_t pos, std::size_t len) {
  if (pos + len > s.size()) return -1;
  int value = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    value = value * 10 + (s[i] - '0');
  }
  return value;
}

}  // namespace

std::string execInfoJson(const ExecCredentialConfig& exec, const ClusterConfig& cluster,
                         const std::string& server) {
  util::JsonBuffer buffer;
  util::JsonWriter w(buffer);
  const auto str = [&](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  w.Key("kind");
  w.String("ExecCredential");
  str("apiVersion", exec.apiVersion);
  w.Key("spec");
  w.StartObject();
  // Never interactive: the webhook has no terminal, and stdin is /dev/null.
  w.Key("interactive");
  w.Bool(false);
  if (exec.provideClusterInfo) {
    w.Key("cluster");
    w.StartObject();
    str("server", server);
    if (!cluster.tlsServerName.empty() && cluster.tlsServerName != cluster.host) {
      str("tls-server-name", cluster.tlsServerName);
    }
    if (cluster.insecureSkipTlsVerify) {
      w.Key("insecure-skip-tls-verify");
      w.Bool(true);
    }
    if (!cluster.caPem.empty()) str("certificate-authority-data", webhook::base64Encode(cluster.caPem));
    if (!exec.clusterConfigJson.empty()) {
      w.Key("config");
      w.RawValue(exec.clusterConfigJson.data(), exec.clusterConfigJson.size(), rapidjson::kObjectType);
    }
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

util::Result<ExecCredentialStatus> parseExecCredential(std::string_view json, std::string_view apiVersion) {
  rapidjson::Document doc;
  if (auto status = webhook::parseJson(doc, json, kMaxJsonDepth); !status) {
    return status.failure().within("its output is not JSON");
  }
  if (!doc.IsObject()) return util::fail("its output is not a JSON object");
  const std::string_view kind = webhook::stringMember(doc, "kind");
  if (kind != "ExecCredential")
    return util::fail("its output has kind \"" + std::string(kind) + "\", not ExecCredential");
  const std::string_view version = webhook::stringMember(doc, "apiVersion");
  if (version != apiVersion) {
    return util::fail("it is configured for " + std::string(apiVersion) + " but answered with apiVersion \"" +
                      std::string(version) + "\"");
  }
  const rapidjson::Value* status = webhook::objectMember(doc, "status");
  if (!status) return util::fail("its output has no status");
  if (!webhook::stringMember(*status, "clientCertificateData").empty() ||
      !webhook::stringMember(*status, "clientKeyData").empty()) {
    return util::fail(
        "it returned a client certificate; irsa-webhook takes only tokens from exec plugins (put the "
        "certificate in the kubeconfig as client-certificate/client-key instead)");
  }
  ExecCredentialStatus out;
  out.token = std::string(webhook::stringMember(*status, "token"));
  if (out.token.empty()) return util::fail("its output has no status.token");
  if (out.token.find_first_of("\r\n") != std::string::npos)
    return util::fail("its status.token contains a line break");
  const std::string_view expiry = webhook::stringMember(*status, "expirationTimestamp");
  if (!expiry.empty()) {
    out.expiration = parseRfc3339(expiry);
    if (!out.expiration) {
      return util::fail("its status.expirationTimestamp \"" + std::string(expiry) +
                        "\" is not an RFC 3339 time");
    }
  }
  return out;
}

std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)
  const int year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
  const int hour = digits(s, 11, 2), minute = digits(s, 14, 2), second = digits(s, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::chrono::nanoseconds fraction{0};
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    long long nanos = 0;
    int scale = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (scale < 9) {
        nanos = nanos * 10 + (s[pos] - '0');
        ++scale;
      }
      ++pos;
    }
    if (pos == start) return std::nullopt;
    for (; scale < 9; ++scale)
      nanos *= 10;
    fraction = std::chrono::nanoseconds(nanos);
  }
  int offsetMinutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int oh = digits(s, pos + 1, 2), om = digits(s, pos + 4, 2);
    if (oh < 0 || om < 0 || oh > 23 || om > 59 || s[pos + 3] != ':') return std::nullopt;
    offsetMinutes = (s[pos] == '-' ? -1 : 1) * (oh * 60 + om);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  // In seconds first: system_clock counts nanoseconds and ends in 2262, so
  // a later time (plugins print "9999-…" for "never") is clamped to its end.
  const auto seconds = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                       std::chrono::minutes(minute - offsetMinutes) + std::chrono::seconds(second);
  using Clock = std::chrono::system_clock;
  const auto last = std::chrono::time_point_cast<std::chrono::seconds>(Clock::time_point::max());
  if (seconds >= last) return Clock::time_point::max();
  return std::chrono::time_point_cast<Clock::duration>(seconds) +
         std::chrono::duration_cast<Clock::duration>(fraction);
}

}  // namespace irsa::kube
