// The web configuration file (--web.config.file) in the Prometheus exporter-toolkit format, with
// its keys and semantics: TLS (tls_server_config), extra response headers (http_server_config)
// and basic auth users with bcrypt hashes (basic_auth_users). Strict like the main config:
// unknown keys, wrong kinds and unusable values are errors naming file:line: key.path, all of a
// file's errors at once. The parse is pure; loading the certificates it names is tls_context.h's
// job, and re-reading the file when it changes is web_config_watcher.h's.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/config/config_error.h"

namespace drmm {

// Go's tls.ClientAuthType, by the names exporter-toolkit uses.
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,     // asked for, not required, not verified
  kRequireAnyClientCert,  // required, not verified
  kVerifyClientCertIfGiven,
  kRequireAndVerifyClientCert,
};

// The protocol version numbers TLS itself uses (as OpenSSL's TLS1_2_VERSION).
enum class TlsVersion : int { kTls10 = 0x301, kTls11 = 0x302, kTls12 = 0x303, kTls13 = 0x304 };

struct WebTlsConfig {
  // Paths as resolved (relative ones against the web config file's directory, as
  // exporter-toolkit does), with where they were written for messages. Empty: not set.
  ConfigText cert_file;
  ConfigText key_file;
  ConfigText client_ca_file;
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  TlsVersion min_version = TlsVersion::kTls12;
  TlsVersion max_version = TlsVersion::kTls13;
  // OpenSSL names, in the configured order; empty: OpenSSL's defaults. TLS 1.3 suites are
  // accepted by name and, as in Go, not configurable.
  std::vector<std::string> cipher_suites;
  bool prefer_server_cipher_suites = true;
  std::vector<std::string> curves;  // OpenSSL group names, in preference order
  ConfigLocation at;                // of tls_server_config, for errors about the whole section

  bool Enabled() const { return !cert_file.value.empty(); }
};

struct BasicAuthUser {
  std::string name;
  std::string bcrypt_hash;
};

struct WebConfig {
  std::string file;  // "" when there is no web config: plain HTTP, no authentication
  WebTlsConfig tls;
  std::vector<std::pair<std::string, std::string>> headers;  // added to every response
  std::vector<BasicAuthUser> users;                          // empty: no basic auth
};

// Parses `text` read from `file_name` (used in messages and to resolve relative paths).
ConfigResult<WebConfig> ParseWebConfig(std::string_view text, const std::string& file_name);

// Reads and parses `path`; an unreadable file is one error with line 0.
ConfigResult<WebConfig> LoadWebConfigFile(const std::string& path);

// "TLS12" for messages and logs.
std::string_view TlsVersionName(TlsVersion version);
std::string_view ClientAuthName(ClientAuth auth);

}  // namespace drmm
