// TLS as clients see it, with curl and openssl s_client against the server on loopback and
// certificates made for the test: the certificate verifies, plain HTTP on the TLS port gets
// Go's 400, basic auth over TLS (none, wrong, right), client certificates (required: missing,
// from an untrusted CA, right), min_version TLS13 refusing TLS 1.2, cipher suites, a rotated
// certificate served without a restart, and the health probe through all of it. Also the TLS
// context's own errors (unreadable files, a key that does not match) with file:line: key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "command.h"
#include "exporter/web/tls_context.h"
#include "exporter/web/web_config_watcher.h"
#include "loopback_client.h"
#include "support/wait_for.h"
#include "test_pki.h"
#include "test_server.h"

namespace drmm {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCommand;
using testing::TestServer;
using testing::TestServerOptions;

constexpr const char* kSecretHash = "$2b$04$iE1X9F/yW3HjD79zPrENYeh9ByEtkE5/nR4oH.un8eJcYMsLeP3CW";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::ScratchDir("drmm-tls");
    pki_ = new testing::TestPki(testing::MakeTestPki(dir_->path()));
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete dir_;
  }

  // A server with this web config (written to a file of its own).
  std::unique_ptr<TestServer> Serve(const std::string& web_config) {
    const std::string file = dir_->File("web-" + std::to_string(++files_) + ".yml");
    testing::WriteTextFile(file, web_config);
    TestServerOptions options;
    options.web_config_file = file;
    auto server = std::make_unique<TestServer>(options);
    const std::string error = server->Start();
    EXPECT_EQ(error, "");
    return server;
  }

  std::string TlsConfig(const std::string& extra = "") const {
    return "tls_server_config:\n  cert_file: " + pki_->server_cert +
           "\n  key_file: " + pki_->server_key + "\n" + extra;
  }

  // curl's exit code and, when it got one, the HTTP status (-w %{http_code}).
  struct Curled {
    int exit_code = -1;
    std::string status;
    std::string err;
  };
  static Curled Curl(const std::string& url, const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"curl",     "--silent",  "--show-error", "--max-time",  "5",
                                     "--output", "/dev/null", "--write-out",  "%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    const auto result = RunCommand(argv, 10s);
    return {result.exit_code.value_or(-1), result.out, result.err};
  }
  static std::string Https(int port, const std::string& path = "/metrics") {
    return "https://localhost:" + std::to_string(port) + path;
  }

  // openssl s_client with `flags`; its stdout and stderr together.
  static std::string SClient(int port, const std::vector<std::string>& flags) {
    // -ign_eof: wait for the server's answer (it closes after it) instead of leaving at the
    // end of the request.
    std::vector<std::string> argv = {
        "openssl",     "s_client", "-ign_eof", "-connect", "127.0.0.1:" + std::to_string(port),
        "-servername", "localhost"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const auto result =
        RunCommand(argv, 10s, "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    return result.out + result.err;
  }

  static testing::ScratchDir* dir_;
  static testing::TestPki* pki_;
  int files_ = 0;
};

testing::ScratchDir* TlsTest::dir_ = nullptr;
testing::TestPki* TlsTest::pki_ = nullptr;

TEST_F(TlsTest, ServesHttpsWithTheConfiguredCertificate) {
  auto server = Serve(TlsConfig());
  const auto verified = Curl(Https(server->port()), {"--cacert", pki_->ca_cert});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.status, "200");
  // Without the CA the certificate does not verify: it is the test CA's, not a default one.
  const auto unverified = Curl(Https(server->port()), {});
  EXPECT_EQ(unverified.exit_code, 60) << unverified.err;
  // Plain HTTP on the TLS port: Go's answer, then the connection ends.
  const auto plain = testing::Scrape(server->port(), "/metrics", 5s);
  EXPECT_EQ(plain.status, 400);
  EXPECT_THAT(plain.response, HasSubstr("Client sent an HTTP request to an HTTPS server."));
  std::string detail;
  EXPECT_TRUE(server->ProbeHealthy(&detail)) << detail;
  EXPECT_EQ(detail, "HTTPS 200 (127.0.0.1:" + std::to_string(server->port()) + ")");
}

TEST_F(TlsTest, BasicAuthOverTls) {
  auto server = Serve(TlsConfig() + "basic_auth_users:\n  alice: " + kSecretHash + "\n");
  const std::vector<std::string> ca = {"--cacert", pki_->ca_cert};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), ca.begin(), ca.end());
    return Curl(Https(server->port()), extra).status;
  };
  EXPECT_EQ(with({}), "401");
  EXPECT_EQ(with({"--user", "alice:wrong"}), "401");
  EXPECT_EQ(with({"--user", "bob:s3cret-pass"}), "401");
  EXPECT_EQ(with({"--user", "alice:s3cret-pass"}), "200");
  std::string detail;
  EXPECT_TRUE(server->ProbeHealthy(&detail)) << detail;
  EXPECT_THAT(detail, HasSubstr("HTTPS 401 with a Basic challenge"));
}

TEST_F(TlsTest, ClientCertificatesWhenRequired) {
  auto server =
      Serve(TlsConfig("  client_auth_type: RequireAndVerifyClientCert\n"
                      "  client_ca_file: " +
                      pki_->ca_cert + "\n"));
  const std::vector<std::string> ca = {"--cacert", pki_->ca_cert};
  auto with = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), ca.begin(), ca.end());
    return Curl(Https(server->port()), extra);
  };
  const auto missing = with({});
  EXPECT_NE(missing.exit_code, 0) << "no client certificate, and still served";
  EXPECT_EQ(missing.status, "000");
  const auto rogue = with({"--cert", pki_->rogue_client_cert, "--key", pki_->rogue_client_key});
  EXPECT_NE(rogue.exit_code, 0) << "a certificate from another CA was accepted";
  EXPECT_EQ(rogue.status, "000");
  const auto right = with({"--cert", pki_->client_cert, "--key", pki_->client_key});
  EXPECT_EQ(right.exit_code, 0) << right.err;
  EXPECT_EQ(right.status, "200");
  // openssl s_client shows what happened in the handshake.
  EXPECT_THAT(SClient(server->port(), {"-CAfile", pki_->ca_cert}),
              HasSubstr("certificate required"));
  EXPECT_THAT(SClient(server->port(), {"-CAfile", pki_->ca_cert, "-cert", pki_->client_cert, "-key",
                                       pki_->client_key}),
              HasSubstr("Healthy"));
  std::string detail;
  EXPECT_TRUE(server->ProbeHealthy(&detail)) << detail;
  EXPECT_THAT(detail, HasSubstr("the TLS server asked for a client certificate"));
}

TEST_F(TlsTest, MinVersionTls13RefusesTls12) {
  auto server = Serve(TlsConfig("  min_version: TLS13\n"));
  const std::string tls12 = SClient(server->port(), {"-tls1_2", "-CAfile", pki_->ca_cert});
  EXPECT_THAT(tls12, HasSubstr("alert protocol version"));
  EXPECT_THAT(tls12, Not(HasSubstr("Healthy")));
  const std::string tls13 = SClient(server->port(), {"-tls1_3", "-CAfile", pki_->ca_cert});
  EXPECT_THAT(tls13, HasSubstr("Protocol  : TLSv1.3"));
  EXPECT_THAT(tls13, HasSubstr("Verify return code: 0 (ok)"));
  EXPECT_THAT(tls13, HasSubstr("Healthy"));
  // And curl, told to stay at TLS 1.2, is refused too.
  const auto curl12 = Curl(Https(server->port()), {"--cacert", pki_->ca_cert, "--tls-max", "1.2"});
  EXPECT_NE(curl12.exit_code, 0);
}

TEST_F(TlsTest, CipherSuitesAndCurvesAreThoseConfigured) {
  auto server =
      Serve(TlsConfig("  max_version: TLS12\n"
                      "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                      "  curve_preferences: [CurveP256]\n"));
  const std::string allowed = SClient(server->port(), {"-tls1_2", "-CAfile", pki_->ca_cert,
                                                       "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"});
  EXPECT_THAT(allowed, HasSubstr("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_THAT(allowed, HasSubstr("Healthy"));
  const std::string other = SClient(server->port(), {"-tls1_2", "-CAfile", pki_->ca_cert, "-cipher",
                                                     "ECDHE-ECDSA-AES256-GCM-SHA384"});
  EXPECT_THAT(other, HasSubstr("handshake failure"));
  const std::string curve = SClient(server->port(), {"-tls1_2", "-curves", "X25519"});
  EXPECT_THAT(curve, Not(HasSubstr("Healthy"))) << "a curve outside curve_preferences was used";
}

TEST_F(TlsTest, ARotatedCertificateIsServedWithoutARestart) {
  // The config names files that are then replaced, as cert-manager or certbot replace them.
  const std::string cert = dir_->File("live.crt");
  const std::string key = dir_->File("live.key");
  std::filesystem::copy_file(pki_->server_cert, cert,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(pki_->server_key, key,
                             std::filesystem::copy_options::overwrite_existing);
  auto server = Serve("tls_server_config:\n  cert_file: " + cert + "\n  key_file: " + key + "\n");
  const auto serial = [&] {
    const std::string shown = SClient(server->port(), {"-CAfile", pki_->ca_cert});
    testing::WriteTextFile(dir_->File("shown.pem"), shown);
    return testing::CertificateSerial(dir_->File("shown.pem"));
  };
  const std::string before = serial();
  EXPECT_EQ(before, testing::CertificateSerial(pki_->server_cert));
  // Renamed into place, key first: in between, the pair does not match and must not be used.
  std::filesystem::copy_file(pki_->rotated_server_key, key + ".new");
  std::filesystem::rename(key + ".new", key);
  EXPECT_EQ(serial(), before) << "a certificate without its key was put to use";
  std::filesystem::copy_file(pki_->rotated_server_cert, cert + ".new");
  std::filesystem::rename(cert + ".new", cert);
  const std::string after = serial();
  EXPECT_EQ(after, testing::CertificateSerial(pki_->rotated_server_cert));
  EXPECT_NE(after, before);
  EXPECT_EQ(server->web_config_rereads_failed, 1);
  EXPECT_EQ(server->web_config_rereads_applied, 1);
}

// ---- The TLS context's errors ------------------------------------------------------------

std::vector<std::string> ContextErrors(const std::string& yaml, const std::string& file) {
  testing::WriteTextFile(file, yaml);
  std::vector<std::string> lines;
  auto loaded = LoadActiveWebConfig(file);
  for (const auto& error : loaded.error()) lines.push_back(error.ToString());
  return lines;
}

TEST_F(TlsTest, UnusableFilesAreErrorsAtTheirKeys) {
  const std::string file = dir_->File("context.yml");
  EXPECT_THAT(ContextErrors("tls_server_config:\n  cert_file: missing.crt\n  key_file: " +
                                pki_->server_key + "\n",
                            file),
              ::testing::ElementsAre(file + ":2: tls_server_config.cert_file: cannot read " +
                                     dir_->File("missing.crt") + ": No such file or directory"));
  EXPECT_THAT(ContextErrors("tls_server_config:\n  cert_file: " + pki_->server_cert +
                                "\n  key_file: " + pki_->rotated_server_key + "\n",
                            file),
              ::testing::ElementsAre(
                  HasSubstr(file + ":3: tls_server_config.key_file: " + pki_->rotated_server_key)));
  EXPECT_THAT(
      ContextErrors("tls_server_config:\n  cert_file: " + pki_->server_key +
                        "\n  key_file: " + pki_->server_key + "\n",
                    file),
      ::testing::ElementsAre(HasSubstr(file + ":2: tls_server_config.cert_file: " +
                                       pki_->server_key + " is not a PEM certificate chain")));
  EXPECT_THAT(
      ContextErrors(TlsConfig("  client_auth_type: RequireAndVerifyClientCert\n"
                              "  client_ca_file: " +
                              pki_->server_key + "\n"),
                    file),
      ::testing::ElementsAre(file + ":5: tls_server_config.client_ca_file: " + pki_->server_key +
                             " holds no PEM certificate to verify clients with"));
}

}  // namespace
}  // namespace drmm
