#include "certs/Pem.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <limits>

namespace irsa::certs {
namespace {

// Closes the descriptor on every return path.
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

BioPtr memoryBio(std::string_view data) {
  // BIO_new_mem_buf is read-only and does not copy; `data` outlives the BIO.
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

bool isNoStartLine(unsigned long err) {
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

// Never prompt: a key that needs a passphrase is reported, not read from a tty.
int refusePassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* userdata) {
  *static_cast<bool*>(userdata) = true;
  return -1;
}

util::Result<std::string> bioToString(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return util::fail("PEM encoding produced no output");
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

std::string takeOpenSslError(std::string_view fallback) {
  std::string out;
  std::string last;
  int kept = 0;
  while (unsigned long err = ERR_get_error()) {
    const char* reason = ERR_reason_error_string(err);
    std::string text;
    if (reason != nullptr) {
      text = reason;
    } else {
      char buf[256];
      ERR_error_string_n(err, buf, sizeof buf);
      text = buf;
    }
    // OpenSSL 3 decoders stack many near-identical entries; three is plenty.
    if (text == last || kept >= 3) continue;
    if (!out.empty()) out.append("; ");
    out.append(text);
    last = std::move(text);
    ++kept;
  }
  return out.empty() ? std::string(fallback) : out;
}

util::Result<std::string> readPemFile(const std::string& path, std::string_view label) {
  const std::string prefix = std::string(label) + " " + path + ": ";
  if (path.empty()) return util::fail(std::string(label) + ": no file given");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return util::fail(prefix + errnoText(errno));
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return util::fail(prefix + errnoText(errno));
  if (S_ISDIR(st.st_mode)) return util::fail(prefix + errnoText(EISDIR));

  std::string data;
  char buf[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return util::fail(prefix + errnoText(errno));
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > kMaxPemFileBytes) {
      return util::fail(prefix + "larger than " + std::to_string(kMaxPemFileBytes) + " bytes");
    }
  }
  return data;
}

util::Result<std::vector<X509Ptr>> parseCertificates(std::string_view pem, std::string_view source) {
  ERR_clear_error();
  BioPtr bio = memoryBio(pem);
  if (!bio) return util::fail("cannot read " + std::string(source) + ": " + takeOpenSslError());
  std::vector<X509Ptr> certs;
  for (;;) {
    X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (cert) {
      certs.push_back(std::move(cert));
      continue;
    }
    const unsigned long err = ERR_peek_last_error();
    if (isNoStartLine(err)) {
      ERR_clear_error();
      if (certs.empty()) return util::fail("no PEM certificate found in " + std::string(source));
      return certs;  // clean end of input
    }
    // A BEGIN line with a corrupt body: say which block so the user can look.
    return util::fail("invalid PEM certificate #" + std::to_string(certs.size() + 1) + " in " +
                      std::string(source) + ": " + takeOpenSslError());
  }
}

util::Result<EvpPkeyPtr> parsePrivateKey(std::string_view pem, std::string_view source) {
  // OpenSSL 3's decoders report a missing key as a generic "unsupported";
  // look for a key block ourselves to give the clearer message.
  if (pem.find("-----BEGIN ") == std::string_view::npos ||
      pem.find("PRIVATE KEY-----") == std::string_view::npos) {
    return util::fail("no PEM private key found in " + std::string(source));
  }
  ERR_clear_error();
  BioPtr bio = memoryBio(pem);
  if (!bio) return util::fail("cannot read " + std::string(source) + ": " + takeOpenSslError());
  bool wantedPassphrase = false;
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refusePassphrase, &wantedPassphrase));
  if (key) {
    ERR_clear_error();
    return key;
  }
  if (wantedPassphrase) {
    ERR_clear_error();
    return util::fail(std::string(source) + ": encrypted private keys are not supported");
  }
  if (isNoStartLine(ERR_peek_last_error())) {
    ERR_clear_error();
    return util::fail("no PEM private key found in " + std::string(source));
  }
  return util::fail("invalid PEM private key in " + std::string(source) + ": " + takeOpenSslError());
}

util::Result<std::string> certificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return util::fail("cannot encode certificate: " + takeOpenSslError());
  }
  return bioToString(bio.get());
}

util::Result<std::string> privateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return util::fail("cannot encode private key: " + takeOpenSslError());
  }
  return bioToString(bio.get());
}

util::Result<std::chrono::system_clock::time_point> toTimePoint(const ASN1_TIME* time) {
  using std::chrono::system_clock;
  std::tm tm{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    ERR_clear_error();
    return util::fail("invalid certificate time");
  }
  const long long secs = static_cast<long long>(::timegm(&tm));
  const auto maxSecs =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::duration::max()).count();
  const auto minSecs =
      std::chrono::duration_cast<std::chrono::seconds>(system_clock::duration::min()).count();
  if (secs >= maxSecs) return system_clock::time_point::max();
  if (secs <= minSecs) return system_clock::time_point::min();
  return system_clock::time_point(std::chrono::seconds(secs));
}

std::string formatTime(std::chrono::system_clock::time_point tp) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(tp);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return "invalid-time";
  return buf;
}

}  // namespace irsa::certs
