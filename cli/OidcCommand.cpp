// `irsa-webhook oidc`: the documents that publish a self-managed cluster's
// service-account issuer as an OIDC provider for IAM: the discovery document
// and the JWKS, from key files or from the apiserver itself.
#include <algorithm>
#include <iostream>

#include "certs/Pem.hpp"
#include "cli/Commands.hpp"
#include "oidc/Discovery.hpp"
#include "oidc/Issuer.hpp"
#include "oidc/JwkSet.hpp"
#include "oidc/PublicKeys.hpp"
#include "util/FlagSet.hpp"

namespace irsa::cli {
namespace {

constexpr const char* kOidcUsage =
    "Usage: irsa-webhook oidc <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  discovery      print the OIDC discovery document (/.well-known/openid-configuration)\n"
    "  jwks           print the JWKS (keys.json) of service-account signing keys\n"
    "  from-cluster   write both, as the apiserver serves them, ready to upload\n"
    "\n"
    "Run 'irsa-webhook oidc <command> --help' for a command's flags.\n";

// The outcome of a subcommand's flag parsing: go on, or exit with `code`.
struct Parsed {
  bool proceed{false};
  int code{kExitOk};
};

Parsed parseFlags(util::FlagSet& flags, const std::vector<std::string>& args, const std::string& name) {
  if (auto status = flags.parse(args); !status) {
    std::cerr << "irsa-webhook oidc " << name << ": " << status.error() << "\n";
    return {false, kExitUsage};
  }
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return {false, kExitOk};
  }
  return {true, kExitOk};
}

int fail(const std::string& name, const std::string& message, int code) {
  std::cerr << "irsa-webhook oidc " << name << ": " << message << "\n";
  return code;
}

// The JWKs of every key in every file, in order.
util::Result<std::vector<oidc::Jwk>> jwksOfFiles(const std::vector<std::string>& paths) {
  std::vector<oidc::Jwk> out;
  for (const std::string& path : paths) {
    auto pem = certs::readPemFile(path, "key");
    if (!pem) return pem.failure();
    auto keys = oidc::parsePublicKeys(*pem, path);
    if (!keys) return keys.failure();
    for (auto& key : *keys) {
      auto jwk = oidc::jwkOfKey(key.get());
      if (!jwk) return jwk.failure().within(path);
      out.push_back(std::move(*jwk));
    }
  }
  return out;
}

int jwksCommand(const std::vector<std::string>& args) {
  std::vector<std::string> keyFiles;
  bool legacyEmptyKid = false;
  util::FlagSet flags("oidc jwks");
  flags.addList(
      "key", &keyFiles,
      "PEM file of signing keys (public, or private: only the public half is used); repeat for rotation; "
      "required");
  flags.addBool("legacy-empty-kid", &legacyEmptyKid,
                "also publish each key with \"kid\": \"\", for tokens from clusters older than 1.16");
  flags.noDefault("key");
  if (auto parsed = parseFlags(flags, args, "jwks"); !parsed.proceed) return parsed.code;
  if (keyFiles.empty()) return fail("jwks", "--key is required", kExitUsage);
  auto jwks = jwksOfFiles(keyFiles);
  if (!jwks) return fail("jwks", jwks.error(), kExitUsage);
  std::cout << oidc::writeJwkSet(*jwks, legacyEmptyKid);
  return kExitOk;
}

int discoveryCommand(const std::vector<std::string>& args) {
  std::string issuer;
  std::string jwksUri;
  std::vector<std::string> keyFiles;
  util::FlagSet flags("oidc discovery");
  flags.addString("issuer", &issuer, "the service-account issuer, https://HOST[/PATH]; required");
  flags.addString("jwks-uri", &jwksUri, "where the JWKS is published (default: the issuer + /keys.json)");
  flags.addList("key", &keyFiles, "PEM file of signing keys, for the signing algorithms (default: RS256)");
  flags.noDefault("issuer");
  if (auto parsed = parseFlags(flags, args, "discovery"); !parsed.proceed) return parsed.code;
  if (issuer.empty()) return fail("discovery", "--issuer is required", kExitUsage);
  if (auto valid = oidc::validateIssuer(issuer); !valid) return fail("discovery", valid.error(), kExitUsage);
  if (jwksUri.empty()) jwksUri = oidc::defaultJwksUri(issuer);
  if (!jwksUri.starts_with("https://")) {
    return fail("discovery",
                "--jwks-uri \"" + jwksUri + "\" is not https://: STS fetches keys over https only",
                kExitUsage);
  }
  auto jwks = jwksOfFiles(keyFiles);
  if (!jwks) return fail("discovery", jwks.error(), kExitUsage);
  oidc::DiscoveryDocument document{issuer, jwksUri, {}};
  for (const oidc::Jwk& jwk : *jwks) {
    if (std::find(document.signingAlgorithms.begin(), document.signingAlgorithms.end(), jwk.alg) ==
        document.signingAlgorithms.end()) {
      document.signingAlgorithms.push_back(jwk.alg);
    }
  }
  std::cout << oidc::writeDiscovery(document);
  return kExitOk;
}

}  // namespace

int oidcCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << kOidcUsage;
    return kExitUsage;
  }
  const std::string& command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help" || command == "-help" || command == "help") {
    std::cout << kOidcUsage;
    return kExitOk;
  }
  if (command == "jwks") return jwksCommand(rest);
  if (command == "discovery") return discoveryCommand(rest);
  if (command == "from-cluster") return oidcFromClusterCommand(rest);
  std::cerr << "irsa-webhook oidc: unknown command \"" << command << "\"\n\n" << kOidcUsage;
  return kExitUsage;
}

}  // namespace irsa::cli
