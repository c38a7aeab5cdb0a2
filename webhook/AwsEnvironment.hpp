#pragma once
// The environment variables the webhook gives containers, read by the AWS
// SDKs: their names are a wire format, spelled here once.

#include <string_view>

namespace irsa::webhook {

// Web identity (IRSA): the role and the projected token to assume it with.
inline constexpr std::string_view kEnvRoleArn = "AWS_ROLE_ARN";
inline constexpr std::string_view kEnvWebIdentityTokenFile = "AWS_WEB_IDENTITY_TOKEN_FILE";
// Container credentials (EKS Pod Identity): the agent's URI and the token for it.
inline constexpr std::string_view kEnvContainerCredentialsFullUri = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
inline constexpr std::string_view kEnvContainerAuthorizationTokenFile =
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
// --aws-default-region sets both: the SDKs differ in which one they read.
inline constexpr std::string_view kEnvDefaultRegion = "AWS_DEFAULT_REGION";
inline constexpr std::string_view kEnvRegion = "AWS_REGION";
// Set to "regional" with --sts-regional-endpoint or the annotation.
inline constexpr std::string_view kEnvStsRegionalEndpoints = "AWS_STS_REGIONAL_ENDPOINTS";
inline constexpr std::string_view kStsRegionalEndpointsValue = "regional";

}  // namespace irsa::webhook
