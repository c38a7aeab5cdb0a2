#include "webhook/AnnotationValues.hpp"

#include "util/LogFormat.hpp"
#include "webhook/Annotations.hpp"
#include "webhook/GoStrings.hpp"
#include "webhook/Settings.hpp"

namespace irsa::webhook {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool isUpper(char c) {
  return c >= 'A' && c <= 'Z';
}

// [\w-/.@+=,] with Go's ASCII \w.
bool isRoleNameChar(char c) {
  if (isDigit(c) || isLower(c) || isUpper(c)) return true;
  switch (c) {
    case '_':
    case '-':
    case '/':
    case '.':
    case '@':
    case '+':
    case '=':
    case ',':
      return true;
    default:
      return false;
  }
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// strconv.ParseInt's *NumError text.
std::string parseIntError(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  bool allDigits = !digits.empty();
  for (char c : digits)
    allDigits = allDigits && isDigit(c);
  std::string out = "strconv.ParseInt: parsing ";
  util::appendGoQuoted(out, text);
  out += allDigits ? ": value out of range" : ": invalid syntax";
  return out;
}

}  // namespace

bool matchesRoleArnPattern(std::string_view arn) {
  if (!consume(arn, "arn:aws")) return false;
  while (!arn.empty() && (isLower(arn[0]) || isDigit(arn[0]) || arn[0] == '-'))
    arn.remove_prefix(1);
  if (!consume(arn, ":iam::")) return false;
  for (int i = 0; i < 12; ++i) {
    if (arn.empty() || !isDigit(arn[0])) return false;
    arn.remove_prefix(1);
  }
  if (!consume(arn, ":role/") || arn.empty()) return false;
  for (char c : arn) {
    if (!isRoleNameChar(c)) return false;
  }
  return true;
}

std::optional<std::string> audienceProblem(std::string_view audience) {
  if (audience.empty()) return "it is empty";
  if (audience.size() > kMaxAudienceLength) {
    return "it is " + std::to_string(audience.size()) + " bytes long, more than " +
           std::to_string(kMaxAudienceLength);
  }
  for (std::size_t i = 0; i < audience.size(); ++i) {
    const auto c = static_cast<unsigned char>(audience[i]);
    if (c <= 0x20 || c >= 0x7F) {
      constexpr std::string_view kDigits = "0123456789ABCDEF";
      const std::string hex = {'0', 'x', kDigits[c >> 4], kDigits[c & 0xF]};
      return "byte " + std::to_string(i) + " is " + hex + ", not a visible ASCII character";
    }
  }
  return std::nullopt;
}

TokenExpirationValue parseTokenExpiration(std::string_view text) {
  TokenExpirationValue out;
  const auto parsed = goParseInt(text);
  if (!parsed) {
    out.error = parseIntError(text);
  } else if (*parsed > kMaxTokenExpiration) {
    out.error = std::to_string(*parsed) + " is more than " + std::to_string(kMaxTokenExpiration) +
                " (2^32) seconds, the most Kubernetes accepts";
  } else {
    out.seconds = *parsed < kMinTokenExpiration ? kMinTokenExpiration : *parsed;
  }
  return out;
}

std::string tokenExpirationMessage(std::int64_t fallback, std::string_view error) {
  return "Found invalid value for token expiration, using " + std::to_string(fallback) +
         " seconds as default: " + std::string(error);
}

std::string_view annotationName(AnnotationIssue::Field field) {
  switch (field) {
    case AnnotationIssue::Field::kRoleArn:
      return kRoleArnAnnotation;
    case AnnotationIssue::Field::kAudience:
      return kAudienceAnnotation;
    case AnnotationIssue::Field::kStsRegionalEndpoints:
      return kStsRegionalEndpointsAnnotation;
    case AnnotationIssue::Field::kServiceAccountTokenExpiration:
    case AnnotationIssue::Field::kPodTokenExpiration:
      return kTokenExpirationAnnotation;
  }
  return {};
}

std::string_view annotatedObject(AnnotationIssue::Field field) {
  return field == AnnotationIssue::Field::kPodTokenExpiration ? "pod" : "serviceaccount";
}

}  // namespace irsa::webhook
