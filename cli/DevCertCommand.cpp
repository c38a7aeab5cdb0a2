// `irsa-webhook dev-cert`: a development CA and serving certificate, for a
// first run and for tests. Production certificates come from cert-manager
// or the Helm chart.
#include <iostream>

#include "certs/DevCertificate.hpp"
#include "cli/Commands.hpp"
#include "util/FlagSet.hpp"

namespace irsa::cli {

int devCertCommand(const std::vector<std::string>& args) {
  std::string dir;
  certs::DevCertificateOptions options;
  std::vector<std::string> dnsNames = options.dnsNames;
  std::vector<std::string> ips = options.ipAddresses;
  util::FlagSet flags("dev-cert");
  flags.addString("out-dir", &dir, "directory for ca.crt, tls.crt and tls.key; required");
  flags.addList("dns-names", &dnsNames, "DNS names of the serving certificate");
  flags.addList("ip-addresses", &ips, "IP addresses of the serving certificate");
  if (auto status = flags.parse(args); !status) {
    std::cerr << "irsa-webhook dev-cert: " << status.error() << "\n";
    return kExitUsage;
  }
  if (flags.helpRequested()) {
    std::cout << flags.usage();
    return kExitOk;
  }
  if (dir.empty()) {
    std::cerr << "irsa-webhook dev-cert: --out-dir is required\n";
    return kExitUsage;
  }
  options.dnsNames = dnsNames;
  options.ipAddresses = ips;
  auto cert = certs::generateDevCertificate(options);
  if (!cert) {
    std::cerr << "irsa-webhook dev-cert: " << cert.error() << "\n";
    return kExitFailure;
  }
  auto written = certs::writeDevCertificate(*cert, dir);
  if (!written) {
    std::cerr << "irsa-webhook dev-cert: " << written.error() << "\n";
    return kExitFailure;
  }
  std::cout << dir << "/ca.crt\n" << dir << "/tls.crt\n" << dir << "/tls.key\n";
  return kExitOk;
}

}  // namespace irsa::cli
