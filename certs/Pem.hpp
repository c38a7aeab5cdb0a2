#pragma once
// PEM and file helpers shared by the certs layer: bounded file reads with
// one-line errors, certificate-chain and private-key parsing, and OpenSSL
// error-queue formatting. Free functions: there is no state to own.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "certs/OpenSslHandles.hpp"
#include "util/Files.hpp"
#include "util/Result.hpp"

namespace irsa::certs {

// Certificates and keys are small; a larger file is a mistake (or /dev/zero).
inline constexpr std::size_t kMaxPemFileBytes = 1024 * 1024;

using util::errnoText;  // util/Files.hpp: the CLI's short errno text

// Reads a whole file. `label` prefixes errors: "tls cert /x: no such file".
util::Result<std::string> readPemFile(const std::string& path, std::string_view label);

// All PEM certificates in `pem`, in file order (leaf first for a chain).
// `source` names the input in errors: "no PEM certificate found in <source>".
util::Result<std::vector<X509Ptr>> parseCertificates(std::string_view pem, std::string_view source);

// The first PEM private key (PKCS#8, SEC1 EC or PKCS#1 RSA). Encrypted keys
// are refused rather than prompting on the terminal.
util::Result<EvpPkeyPtr> parsePrivateKey(std::string_view pem, std::string_view source);

util::Result<std::string> certificateToPem(X509* cert);
util::Result<std::string> privateKeyToPem(EVP_PKEY* key);  // unencrypted PKCS#8

// An ASN.1 time as a time_point; times beyond the clock's range (RFC 5280's
// 99991231235959Z "no expiry") saturate to time_point::max().
util::Result<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* time);

// RFC 3339 UTC ("2026-01-01T00:00:00Z") for logs.
std::string formatTime(std::chrono::system_clock::time_point tp);

// Drains the thread's OpenSSL error queue into "reason; reason" (or
// `fallback` when the queue is empty), so stale errors never leak into the
// next call's message.
std::string takeOpenSslError(std::string_view fallback = "unknown OpenSSL error");

}  // namespace irsa::certs
