#include "test_pki.h"

#include <stdexcept>
#include <vector>

#include "command.h"

namespace drmm::testing {
namespace {

using namespace std::chrono_literals;

void Openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto result = RunCommand(argv, 20s);
  if (result.exit_code != 0) {
    std::string command;
    for (const auto& arg : argv) command += arg + " ";
    throw std::runtime_error("failed: " + command + "\n" + result.err);
  }
}

void SelfSignedCa(const std::string& cert, const std::string& key, const std::string& name) {
  Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=" + name, "-addext",
           "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"});
}

void Issue(const std::filesystem::path& dir, const std::string& name, const std::string& subject,
           const std::string& extensions, const std::string& ca_cert, const std::string& ca_key,
           const std::string& cert, const std::string& key) {
  const std::string csr = (dir / (name + ".csr")).string();
  const std::string ext = (dir / (name + ".ext")).string();
  WriteTextFile(ext, extensions);
  Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
           key, "-out", csr, "-subj", "/CN=" + subject});
  Openssl({"x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-set_serial",
           std::to_string(std::hash<std::string>()(name) % 1000000007), "-out", cert, "-days", "1",
           "-extfile", ext});
}

}  // namespace

TestPki MakeTestPki(const std::filesystem::path& dir) {
  const auto file = [&](const std::string& name) { return (dir / name).string(); };
  TestPki pki;
  pki.ca_cert = file("ca.crt");
  const std::string ca_key = file("ca.key");
  SelfSignedCa(pki.ca_cert, ca_key, "drmm-test-ca");
  const std::string server_ext =
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\n";
  pki.server_cert = file("server.crt");
  pki.server_key = file("server.key");
  Issue(dir, "server", "localhost", server_ext, pki.ca_cert, ca_key, pki.server_cert,
        pki.server_key);
  pki.rotated_server_cert = file("server-rotated.crt");
  pki.rotated_server_key = file("server-rotated.key");
  Issue(dir, "server-rotated", "localhost", server_ext, pki.ca_cert, ca_key,
        pki.rotated_server_cert, pki.rotated_server_key);
  const std::string client_ext = "extendedKeyUsage=clientAuth\n";
  pki.client_cert = file("client.crt");
  pki.client_key = file("client.key");
  Issue(dir, "client", "prometheus", client_ext, pki.ca_cert, ca_key, pki.client_cert,
        pki.client_key);
  pki.rogue_ca_cert = file("rogue-ca.crt");
  const std::string rogue_ca_key = file("rogue-ca.key");
  SelfSignedCa(pki.rogue_ca_cert, rogue_ca_key, "drmm-rogue-ca");
  pki.rogue_client_cert = file("rogue-client.crt");
  pki.rogue_client_key = file("rogue-client.key");
  Issue(dir, "rogue-client", "prometheus", client_ext, pki.rogue_ca_cert, rogue_ca_key,
        pki.rogue_client_cert, pki.rogue_client_key);
  return pki;
}

std::string CertificateSerial(const std::string& cert_file) {
  const auto result = RunCommand({"openssl", "x509", "-in", cert_file, "-noout", "-serial"}, 10s);
  return result.out;
}

}  // namespace drmm::testing
