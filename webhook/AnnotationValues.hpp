#pragma once
// The rules for annotation values, which come from whoever may edit a
// ServiceAccount or create a pod (SECURITY.md). A value that breaks a rule
// never fails the pod: the role ARN is still used (as the reference does),
// the others are ignored for the next source (docs/mutation.md). Each broken
// rule is reported as an AnnotationIssue; the callers log and count them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irsa::webhook {

// Kubernetes refuses a projected token's expirationSeconds above 2^32
// (and so the whole pod); below 600 it is raised to 600 (kMinTokenExpiration).
inline constexpr std::int64_t kMaxTokenExpiration = std::int64_t{1} << 32;
// IAM's limit on an OIDC provider's client ID, which STS matches the
// token's audience against: a longer audience can never be accepted.
inline constexpr std::size_t kMaxAudienceLength = 255;

// The reference's role ARN pattern,
// ^arn:aws[a-z0-9-]*:iam::\d{12}:role/[\w-/.@+=,]+$ (ASCII classes, as Go's).
bool matchesRoleArnPattern(std::string_view arn);

// Why an audience is refused (1 to 255 visible ASCII characters), or
// nullopt when it is taken.
std::optional<std::string> audienceProblem(std::string_view audience);

// A token-expiration annotation: Go's strconv.ParseInt, at most
// kMaxTokenExpiration, raised to kMinTokenExpiration. On failure the error
// says why, in strconv's words when it is not an integer.
struct TokenExpirationValue {
  std::optional<std::int64_t> seconds;
  std::string error;
};
TokenExpirationValue parseTokenExpiration(std::string_view text);
// The reference's words for an ignored token-expiration annotation.
std::string tokenExpirationMessage(std::int64_t fallback, std::string_view error);

// One annotation value that broke its rule, for a log line and a counter.
struct AnnotationIssue {
  enum class Field {
    kRoleArn,                        // ServiceAccount; still used
    kAudience,                       // ServiceAccount; ignored
    kStsRegionalEndpoints,           // ServiceAccount; ignored
    kServiceAccountTokenExpiration,  // ignored
    kPodTokenExpiration,             // ignored
  };
  static constexpr std::size_t kFieldCount = 5;

  Field field;
  std::string message;  // for people; the reference's words where it has some
};
using AnnotationIssues = std::vector<AnnotationIssue>;

// The metric labels of a field: its annotation name under the prefix, and
// "serviceaccount" or "pod".
std::string_view annotationName(AnnotationIssue::Field field);
std::string_view annotatedObject(AnnotationIssue::Field field);

}  // namespace irsa::webhook
