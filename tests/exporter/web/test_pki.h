// Certificates for the TLS tests, made by the openssl tool into a test's scratch directory: a
// CA with a server certificate for localhost/127.0.0.1/::1 and a client certificate, a second
// server certificate from the same CA (certificate rotation), and a client certificate from a
// CA the server does not trust. EC P-256 keys, valid for a day.
#pragma once

#include <filesystem>
#include <string>

namespace drmm::testing {

struct TestPki {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string rotated_server_cert;  // same names, another serial number and key
  std::string rotated_server_key;
  std::string client_cert;
  std::string client_key;
  std::string rogue_ca_cert;
  std::string rogue_client_cert;  // signed by rogue_ca_cert
  std::string rogue_client_key;
};

// Throws std::runtime_error with openssl's stderr when a step fails.
TestPki MakeTestPki(const std::filesystem::path& dir);

// The serial number openssl prints for a certificate file ("serial=4A3F..."), for telling two
// certificates apart.
std::string CertificateSerial(const std::string& cert_file);

}  // namespace drmm::testing
