// `irsa-webhook oidc from-cluster`: the apiserver's own discovery document
// and JWKS (what it serves at /.well-known/openid-configuration and
// /openid/v1/jwks), written as a directory tree to upload where the issuer
// URL points, e.g. `aws s3 cp --recursive DIR s3://BUCKET/`.
#include <filesystem>
#include <iostream>
#include <system_error>

#include "cli/ClusterClient.hpp"
#include "cli/Commands.hpp"
#include "oidc/Discovery.hpp"
#include "oidc/Issuer.hpp"
#include "oidc/JwkSet.hpp"
#include "util/Files.hpp"
#include "util/FlagSet.hpp"

namespace irsa::cli {
namespace {

constexpr mode_t kPublicFileMode = 0644;  // these files are published to the world anyway
constexpr const char* kDiscoveryPath = ".well-known/openid-configuration";

int fail(const std::string& message, int code) {
  std::cerr << "irsa-webhook oidc from-cluster: " << message << "\n";
  return code;
}

void warn(const std::string& message) {
  std::cerr << "irsa-webhook oidc from-cluster: warning: " << message << "\n";
}

// Where under the upload directory the JWKS goes: jwks_uri's path below the
// issuer, or keys.json (with jwks_uri pointed there) when it is elsewhere,
// e.g. the apiserver's own https://<apiserver>/openid/v1/jwks.
std::string jwksFileFor(const std::string& issuer, std::string& jwksUri) {
  const std::string prefix = issuer + "/";
  if (jwksUri.starts_with(prefix) && jwksUri.size() > prefix.size() &&
      jwksUri.find_first_of("?#", prefix.size()) == std::string::npos) {
    std::string relative = jwksUri.substr(prefix.size());
    if (relative.find("..") == std::string::npos) return relative;
  }
  const std::string published = oidc::defaultJwksUri(issuer);
  warn("the apiserver's jwks_uri " + jwksUri + " is not under the issuer; the discovery document points at " +
       published + " instead, where keys.json is to be uploaded");
  jwksUri = published;
  return "keys.json";
}

util::Status writePublicFile(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return util::fail("cannot create " + path.parent_path().string() + ": " + ec.message());
  return util::writeFileAtomically(path, text, kPublicFileMode);
}

}  // namespace

int oidcFromClusterCommand(const std::vector<std::string>& args) {
  ClusterFlags cluster;
  std::string issuerFlag;
  std::string outDir;
  bool legacyEmptyKid = false;
  util::FlagSet flags("oidc from-cluster");
  addClusterFlags(flags, cluster);
  flags.addString(
      "issuer", &issuerFlag,
      "the issuer the files are published for (default: the apiserver's); a warning when they differ");
  flags.addString("out-dir", &outDir,
                  "directory to write .well-known/openid-configuration and the JWKS into; required");
  flags.addBool("legacy-empty-kid", &legacyEmptyKid,
                "also publish each key with \"kid\": \"\", for tokens from clusters older than 1.16");
  flags.noDefault("out-dir");
  if (auto status = flags.parse(args); !status) return fail(status.error(), kExitUsage);
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (outDir.empty()) return fail("--out-dir is required", kExitUsage);
  if (!issuerFlag.empty()) {
    if (auto valid = oidc::validateIssuer(issuerFlag); !valid) return fail(valid.error(), kExitUsage);
  }

  auto client = ClusterClient::create(cluster);
  if (!client) return fail(client.error(), kExitFailure);
  auto discoveryText = (*client)->get("/.well-known/openid-configuration");
  if (!discoveryText) return fail(discoveryText.error(), kExitFailure);
  auto discovery = oidc::parseDiscovery(*discoveryText);
  if (!discovery) return fail("the apiserver's discovery document: " + discovery.error(), kExitFailure);
  auto jwksText = (*client)->get("/openid/v1/jwks");
  if (!jwksText) return fail(jwksText.error(), kExitFailure);
  auto keys = oidc::parseJwkSet(*jwksText);
  if (!keys) return fail("the apiserver's JWKS: " + keys.error(), kExitFailure);

  std::string issuer = discovery->issuer;
  if (!issuerFlag.empty() && issuerFlag != issuer) {
    warn("the apiserver's issuer is " + issuer + ", not " + issuerFlag + ": its tokens carry iss " + issuer +
         ", so STS accepts them only once --service-account-issuer is " + issuerFlag);
    issuer = issuerFlag;
  }
  if (auto valid = oidc::validateIssuer(issuer); !valid)
    return fail("the apiserver's " + valid.error(), kExitFailure);

  oidc::DiscoveryDocument published{issuer, discovery->jwksUri, discovery->signingAlgorithms};
  const std::filesystem::path dir(outDir);
  const std::filesystem::path jwksPath = dir / jwksFileFor(issuer, published.jwksUri);
  const std::filesystem::path discoveryPath = dir / kDiscoveryPath;
  if (auto written = writePublicFile(discoveryPath, oidc::writeDiscovery(published)); !written) {
    return fail(written.error(), kExitFailure);
  }
  if (auto written = writePublicFile(jwksPath, oidc::writeJwkSet(*keys, legacyEmptyKid)); !written) {
    return fail(written.error(), kExitFailure);
  }
  std::cout << discoveryPath.string() << "\n" << jwksPath.string() << "\n";
  return kExitOk;
}

}  // namespace irsa::cli
