#pragma once
// The EC2 instance identity (account, region) for `--compose-role-arn`, read
// once at startup from the instance metadata service with IMDSv2: a session
// token from `PUT /latest/api/token`, then the identity document. When the
// token request is refused (403, 404, 405) or gets no answer in time, the
// document is read with IMDSv1 (a GET without a token), as the AWS SDKs do;
// an instance that requires tokens answers the PUT, so it never gets there.
//
// fetch() is synchronous on its own small io_context: it runs before the
// server exists, so there is no I/O thread to keep free. Nothing here throws.

#include <chrono>
#include <cstddef>
#include <string>

#include "util/Result.hpp"
#include "webhook/Settings.hpp"

namespace irsa::aws {

struct InstanceIdentity {
  std::string account;
  std::string region;
};

struct InstanceMetadataOptions {
  static constexpr const char* kDefaultEndpoint = "http://169.254.169.254";
  static constexpr const char* kDefaultIpv6Endpoint = "http://[fd00:ec2::254]";

  // `http://host[:port]`; IPv6 hosts in brackets. No https: IMDS is plain HTTP.
  std::string endpoint{kDefaultEndpoint};
  // Bounds one attempt (token PUT + document GET, including connect).
  std::chrono::milliseconds timeout{std::chrono::seconds(2)};
  int attempts{3};
  // Pause before the second attempt; doubled before each later one.
  std::chrono::milliseconds backoff{std::chrono::milliseconds(200)};
  // The session token's lifetime; we only need it for two requests, but this
  // is what the AWS SDKs ask for.
  std::chrono::seconds tokenTtl{21600};
  // The identity document is ~0.5 KiB; anything far larger is not IMDS.
  std::size_t maxBodyBytes{64 * 1024};

  // The AWS SDKs' variables for the endpoint, read by fromEnvironment().
  static constexpr const char* kEndpointVariable = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  static constexpr const char* kEndpointModeVariable = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";

  // Defaults overridden the way the AWS SDKs do: kEndpointVariable, else
  // kEndpointModeVariable=IPv6 selects the IPv6 endpoint.
  // The only place that reads the environment; call it from the CLI.
  static InstanceMetadataOptions fromEnvironment();
};

class InstanceMetadata {
 public:
  // Up to `attempts` tries; transport failures (ErrorCode::kUnreachable) and
  // 5xx answers are retried, other statuses and bad documents are final. An
  // answer's unexpected status fails with ErrorCode::kHttpStatus and the
  // status in Error::httpStatus.
  static util::Result<InstanceIdentity> fetch(const InstanceMetadataOptions& options);
};

// fetch() plus the partition derived from the region (webhook::partitionForRegion).
util::Result<webhook::RoleArnComposition> composeFromInstanceMetadata(const InstanceMetadataOptions& options);

}  // namespace irsa::aws
