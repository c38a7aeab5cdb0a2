#pragma once
// Builds the server-side TLS context from a validated KeyPair and the
// reference webhook's TLS flags (--tls-min-version, --tls-cipher-suites, Go
// names) plus our --client-ca-file. Pure construction: no globals, and the
// result is an immutable snapshot swapped whole by TlsContextStore.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "certs/KeyPair.hpp"
#include "util/Result.hpp"

namespace irsa::certs {

struct TlsOptions {
  std::string minVersion{"VersionTLS12"};  // the reference's names: 1.2 | 1.3 | VersionTLS12 | VersionTLS13
  std::vector<std::string> cipherSuites;   // Go/IANA names; empty = ECDHE+AEAD only
  std::string clientCaFile;                // non-empty turns on mTLS
};

// OpenSSL settings derived from TlsOptions::cipherSuites.
struct CipherConfig {
  std::string tls12;  // SSL_CTX_set_cipher_list format
  std::string tls13;  // SSL_CTX_set_ciphersuites format
};

// The reference's --tls-min-version values (1.0 … 1.3, VersionTLS10 …
// VersionTLS13) -> OpenSSL protocol version (TLS1_2_VERSION...). 1.0 and 1.1
// give TLS 1.2: the floor never goes below it, and a manifest that asks for
// less still starts (the caller warns, see isBelowTlsFloor). Empty means 1.2.
util::Result<int> parseMinTlsVersion(const std::string& name);
// True for the values that ask for less than TLS 1.2 (1.0, 1.1, VersionTLS10, VersionTLS11).
bool isBelowTlsFloor(const std::string& name);

// Go/IANA suite names -> OpenSSL lists. Names only for 1.2 leave the TLS 1.3
// suites at their secure default (as in Go, where 1.3 suites are fixed); a
// family with no names given keeps its default. Unknown names are errors.
util::Result<CipherConfig> mapCipherSuites(const std::vector<std::string>& names);

util::Result<std::shared_ptr<boost::asio::ssl::context>> makeServerContext(const KeyPair& keyPair,
                                                                           const TlsOptions& options);

}  // namespace irsa::certs
