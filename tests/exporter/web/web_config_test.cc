// The web config parser: one bad file per error with its exact messages (as the main config's
// tests and blackbox_exporter's TestLoadBadConfigs do), and a file with every key read back.
#include "exporter/web/web_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace drmm {
namespace {

using ::testing::ElementsAreArray;

std::string TestData(const std::string& name) {
  return std::string(DRMM_WEB_TESTDATA) + "/" + name;
}

std::vector<std::string> ErrorLines(const ConfigResult<WebConfig>& r) {
  std::vector<std::string> lines;
  for (const auto& error : r.error()) lines.push_back(error.ToString());
  return lines;
}

struct BadCase {
  std::string file;                   // under testdata/bad
  std::vector<std::string> expected;  // "F" stands for the file's path
};

const std::vector<BadCase>& BadCases() {
  static const std::vector<BadCase> cases = {
      {"unknown_top_key.yml",
       {"F:1: tls_server_confg: unknown key (known keys: tls_server_config, http_server_config, "
        "basic_auth_users)"}},
      {"rate_limit.yml",
       {"F:1: rate_limit: not supported by datto-rmm-exporter: --web.max-requests bounds "
        "concurrent scrapes"}},
      {"unknown_tls_key.yml",
       {"F:4: tls_server_config.client_auth: unknown key (known keys: cert_file, key_file, "
        "client_auth_type, client_ca_file, min_version, max_version, cipher_suites, "
        "prefer_server_cipher_suites, curve_preferences)"}},
      {"inline_cert.yml",
       {"F:2: tls_server_config.cert: inline certificates are not supported: write the PEM to a "
        "file for cert_file"}},
      {"cert_without_key.yml",
       {"F:2: tls_server_config: key_file is missing: TLS needs the server's certificate and "
        "key"}},
      {"settings_without_cert.yml",
       {"F:3: tls_server_config: cert_file is missing: TLS needs the server's certificate and key",
        "F:3: tls_server_config: key_file is missing: TLS needs the server's certificate and "
        "key"}},
      {"bad_client_auth.yml",
       {"F:4: tls_server_config.client_auth_type: \"RequireClientCerts\" is not one of "
        "NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, "
        "RequireAndVerifyClientCert"}},
      {"ca_without_client_auth.yml",
       {"F:4: tls_server_config.client_ca_file: is set, but client_auth_type is NoClientCert (the "
        "default), so no client certificate is asked for: set client_auth_type: "
        "RequireAndVerifyClientCert"}},
      {"verify_without_ca.yml",
       {"F:4: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs "
        "client_ca_file: the CA that signs the client certificates"}},
      {"bad_min_version.yml",
       {"F:4: tls_server_config.min_version: \"TLS1.3\" is not one of TLS10, TLS11, TLS12, "
        "TLS13"}},
      {"min_above_max.yml",
       {"F:4: tls_server_config.min_version: min_version TLS13 is above max_version TLS12"}},
      {"unknown_cipher.yml",
       {"F:6: tls_server_config.cipher_suites[1]: \"TLS_RSA_WITH_RC4_128_SHA\" is not a cipher "
        "suite name of Go's crypto/tls (such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256; the list "
        "is in docs/security.md)"}},
      {"ciphers_not_a_list.yml",
       {"F:4: tls_server_config.cipher_suites: expected a list, got \"TLS_AES_128_GCM_SHA256\" "
        "(write [\"TLS_AES_128_GCM_SHA256\"] for a list of one)"}},
      {"unknown_curve.yml",
       {"F:4: tls_server_config.curve_preferences[1]: \"P256\" is not one of CurveP256, "
        "CurveP384, CurveP521, X25519"}},
      {"prefer_not_bool.yml",
       {"F:4: tls_server_config.prefer_server_cipher_suites: \"maybe\" is not a boolean (true or "
        "false)"}},
      {"empty_cert_file.yml", {"F:2: tls_server_config.cert_file: is empty: give a file name"}},
      {"tls_no_value.yml",
       {"F:1: tls_server_config: has no value (expected a map with the keys cert_file, key_file, "
        "client_auth_type, client_ca_file, min_version, max_version, cipher_suites, "
        "prefer_server_cipher_suites, curve_preferences)"}},
      {"unknown_header.yml",
       {"F:3: http_server_config.headers.X-Powered-By: unknown key (known keys: "
        "Content-Security-Policy, X-Frame-Options, X-Content-Type-Options, X-XSS-Protection, "
        "Strict-Transport-Security)"}},
      {"frame_options.yml",
       {"F:3: http_server_config.headers.X-Frame-Options: \"allow\" is not one of deny, "
        "sameorigin"}},
      {"content_type_options.yml",
       {"F:3: http_server_config.headers.X-Content-Type-Options: \"sniff\" is not nosniff"}},
      {"header_newline.yml",
       {"F:3: http_server_config.headers.Content-Security-Policy: must be one line without "
        "control characters"}},
      {"http2_not_bool.yml",
       {"F:2: http_server_config.http2: \"sometimes\" is not a boolean (true or false)"}},
      {"users_not_a_map.yml",
       {"F:2: basic_auth_users: expected a map of user names to bcrypt hashes, got a list"}},
      // The value is a password written where its hash belongs: never quoted.
      {"password_not_hashed.yml",
       {"F:2: basic_auth_users.alice: not a bcrypt hash (expected $2y$, $2b$ or $2a$, a cost and "
        "53 characters, as htpasswd -nBC 10 \"\" prints)"}},
      {"bcrypt_cost_too_low.yml", {"F:2: basic_auth_users.alice: a bcrypt cost must be 04..31"}},
      {"user_with_colon.yml",
       {"F:2: basic_auth_users.al:ice: a user name must be non-empty and without ':' (basic auth "
        "puts a ':' between user and password)"}},
      {"duplicate_user.yml", {"F:3: basic_auth_users.alice: duplicate user"}},
      {"user_without_hash.yml",
       {"F:2: basic_auth_users.alice: has no value (expected a bcrypt hash)"}},
      {"comma_document.yml",
       {"F:1: YAML syntax error at column 1: a ',' where a document or value should start"}},
      {"syntax_error.yml", {"F:3: YAML syntax error at column 1: end of sequence flow not found"}},
      {"second_document.yml", {"F:4: a second YAML document (---) is not allowed"}},
      // The escaped character may belong to a secret: the message names the error, not it.
      {"bad_escape.yml", {"F:3: YAML syntax error at column 21: unknown escape character"}},
      {"root_not_a_map.yml",
       {"F:1: expected a map (keys: tls_server_config, http_server_config, basic_auth_users), got "
        "a list"}},
  };
  return cases;
}

TEST(LoadBadWebConfigs, EachFileGivesExactlyItsMessages) {
  for (const auto& bad : BadCases()) {
    SCOPED_TRACE(bad.file);
    const std::string path = TestData("bad/" + bad.file);
    std::vector<std::string> expected;
    for (const auto& line : bad.expected) expected.push_back(path + line.substr(1));
    EXPECT_THAT(ErrorLines(LoadWebConfigFile(path)), ElementsAreArray(expected));
  }
}

TEST(LoadBadWebConfigs, EveryFileInTestdataBadHasACase) {
  std::set<std::string> listed;
  for (const auto& bad : BadCases()) listed.insert(bad.file);
  for (const auto& entry : std::filesystem::directory_iterator(TestData("bad"))) {
    EXPECT_TRUE(listed.contains(entry.path().filename().string()))
        << entry.path() << " has no case in BadCases()";
  }
}

TEST(LoadBadWebConfigs, NoMessageQuotesAPasswordOrAHash) {
  for (const std::string file : {"password_not_hashed.yml", "bcrypt_cost_too_low.yml"}) {
    for (const auto& line : ErrorLines(LoadWebConfigFile(TestData("bad/" + file)))) {
      EXPECT_EQ(line.find("plain-text-password-7f3a"), std::string::npos) << line;
      EXPECT_EQ(line.find("iE1X9F"), std::string::npos) << line;
    }
  }
}

TEST(LoadBadWebConfigs, AMissingFileIsOneErrorNamingIt) {
  EXPECT_THAT(ErrorLines(LoadWebConfigFile("/nonexistent/web.yml")),
              ElementsAreArray({"/nonexistent/web.yml: cannot read the web config file: No such "
                                "file or directory"}));
}

TEST(LoadWebConfig, AnEmptyFileChangesNothing) {
  const auto result = LoadWebConfigFile(TestData("good/empty.yml"));
  ASSERT_TRUE(result.ok()) << ErrorLines(result).front();
  const auto& config = result.value();
  EXPECT_FALSE(config.tls.Enabled());
  EXPECT_TRUE(config.users.empty());
  EXPECT_TRUE(config.headers.empty());
}

TEST(LoadWebConfig, EveryKeyIsReadAsExporterToolkitMeansIt) {
  const std::string path = TestData("good/full.yml");
  const auto result = LoadWebConfigFile(path);
  ASSERT_TRUE(result.ok()) << ErrorLines(result).front();
  const auto& config = result.value();
  const WebTlsConfig& tls = config.tls;
  // Relative paths are relative to the web config file, as in exporter-toolkit.
  EXPECT_EQ(tls.cert_file.value, TestData("good/certs/server.crt"));
  EXPECT_EQ(tls.cert_file.at.line, 3);
  EXPECT_EQ(tls.key_file.value, "/etc/keys/server.key");
  EXPECT_EQ(tls.client_ca_file.value, TestData("good/ca.crt"));
  EXPECT_EQ(tls.client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(tls.min_version, TlsVersion::kTls13);
  EXPECT_EQ(tls.max_version, TlsVersion::kTls13);
  // OpenSSL's names; the TLS 1.3 suite is accepted and, as in Go, not configurable.
  EXPECT_EQ(tls.cipher_suites, (std::vector<std::string>{"ECDHE-ECDSA-AES128-GCM-SHA256",
                                                         "ECDHE-RSA-CHACHA20-POLY1305"}));
  EXPECT_FALSE(tls.prefer_server_cipher_suites);
  EXPECT_EQ(tls.curves, (std::vector<std::string>{"X25519", "P-256"}));
  // A blank header is unset, as in exporter-toolkit.
  EXPECT_EQ(config.headers, (std::vector<std::pair<std::string, std::string>>{
                                {"X-Frame-Options", "deny"},
                                {"X-Content-Type-Options", "nosniff"},
                                {"Strict-Transport-Security", "max-age=31536000"}}));
  ASSERT_EQ(config.users.size(), 2u);
  EXPECT_EQ(config.users[0].name, "prometheus");
  EXPECT_EQ(config.users[1].name, "alice");
  EXPECT_EQ(config.users[1].bcrypt_hash,
            "$2b$04$W606ptVQUmV3LUH5IxkSoOK0p9SHkV7hYvzb89JGPE5g6h.Dm1UA2");
}

TEST(LoadWebConfig, DefaultsAreExporterToolkits) {
  const auto result =
      ParseWebConfig("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n", "/w/web.yml");
  ASSERT_TRUE(result.ok()) << ErrorLines(result).front();
  const auto& tls = result.value().tls;
  EXPECT_TRUE(tls.Enabled());
  EXPECT_EQ(tls.cert_file.value, "/w/a.crt");
  EXPECT_EQ(tls.client_auth, ClientAuth::kNoClientCert);
  EXPECT_EQ(tls.min_version, TlsVersion::kTls12);
  EXPECT_EQ(tls.max_version, TlsVersion::kTls13);
  EXPECT_TRUE(tls.prefer_server_cipher_suites);
  EXPECT_TRUE(tls.cipher_suites.empty());
  EXPECT_TRUE(tls.curves.empty());
  // exporter-toolkit's old name for RequireAnyClientCert still works.
  const auto legacy = ParseWebConfig(
      "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireClientCert\n",
      "web.yml");
  ASSERT_TRUE(legacy.ok()) << ErrorLines(legacy).front();
  EXPECT_EQ(legacy.value().tls.client_auth, ClientAuth::kRequireAnyClientCert);
}

}  // namespace
}  // namespace drmm
