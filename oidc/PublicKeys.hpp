#pragma once
// Service-account signing keys as kube-apiserver reads them
// (--service-account-key-file): every key in a PEM file, from a `PUBLIC KEY`
// (SubjectPublicKeyInfo), `RSA PUBLIC KEY` (PKCS#1), `CERTIFICATE`, or a
// private key (`PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`), of which
// only the public half is kept. Other blocks (`EC PARAMETERS`) are skipped.

#include <string>
#include <string_view>
#include <vector>

#include "certs/OpenSslHandles.hpp"
#include "util/Result.hpp"

namespace irsa::oidc {

// The JWS algorithm a key signs with: RS256 for RSA, ES256/384/512 for EC
// P-256/P-384/P-521 (what kube-apiserver signs tokens with). Anything else
// fails, naming the key's type.
util::Result<std::string> signingAlgorithm(EVP_PKEY* key);

// kube-apiserver's key ID: base64url without padding of the SHA-256 of the
// key's DER SubjectPublicKeyInfo (EC points uncompressed, as Go writes them).
util::Result<std::string> keyId(EVP_PKEY* key);

// OpenSSL's public-key validation (an RSA modulus that is odd and has no
// small factors, an EC point on its curve): a key failing it can verify no
// signature, so it is refused wherever keys come in (PEM files and JWKs).
util::Status checkPublicKey(EVP_PKEY* key);

// The public keys in `pem`, in file order; `source` names it in errors. No
// key at all, a corrupt block, an encrypted key or an unsupported key type
// is an error.
util::Result<std::vector<certs::EvpPkeyPtr>> parsePublicKeys(std::string_view pem, std::string_view source);

}  // namespace irsa::oidc
