#include "exporter/config/config_warnings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "exporter/config/config_check.h"
#include "fake_environment.h"
#include "support/log_capture.h"

namespace drmm {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

AccountConfig Account(std::string name, std::string key_source, std::string secret_source,
                      std::string base_url = "https://merlot-api.centrastage.net") {
  AccountConfig account;
  account.name = std::move(name);
  account.base_url = std::move(base_url);
  account.api_key = "key-value-1234";
  account.api_secret = "secret-value-5678";
  account.api_key_source = std::move(key_source);
  account.api_secret_source = std::move(secret_source);
  return account;
}

FileModeLookup Modes(std::map<std::string, unsigned> modes) {
  return [modes = std::move(modes)](const std::string& path) -> std::optional<unsigned> {
    const auto it = modes.find(path);
    if (it == modes.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ConfigWarnings, SecretFileReadableByGroupOrOthers) {
  Config config;
  config.file = "/etc/c.yaml";
  config.accounts = {Account("acme", "file /run/k", "file /run/s"),
                     Account("globex", "env K", "file /run/g")};
  const auto warnings =
      ConfigWarnings(config, Modes({{"/run/k", 0600}, {"/run/s", 0644}, {"/run/g", 0640}}));
  EXPECT_THAT(warnings,
              ElementsAre("/run/s: the API secret file of account acme is readable by others "
                          "(mode 0644); make it readable by the exporter's user only (chmod 600)",
                          "/run/g: the API secret file of account globex is readable by group "
                          "(mode 0640); make it readable by the exporter's user only (chmod 600)"));
}

TEST(ConfigWarnings, InlineSecretsInAConfigFileReadableByOthers) {
  Config config;
  config.file = "/etc/c.yaml";
  config.accounts = {Account("acme", "inline", "inline"), Account("globex", "env K", "env S"),
                     Account("initech", "env K2", "inline")};
  EXPECT_THAT(ConfigWarnings(config, Modes({{"/etc/c.yaml", 0644}})),
              ElementsAre("/etc/c.yaml: holds credentials inline (accounts acme, initech) and is "
                          "readable by others (mode 0644); chmod o-r it, or move them to "
                          "api_key_file/api_secret_file"));
  // Group-readable only is the usual root:exporter 0640 setup: fine.
  EXPECT_THAT(ConfigWarnings(config, Modes({{"/etc/c.yaml", 0640}})), IsEmpty());
  // Readable by others but no inline credential: nothing to expose.
  config.accounts = {Account("globex", "env K", "env S")};
  EXPECT_THAT(ConfigWarnings(config, Modes({{"/etc/c.yaml", 0644}})), IsEmpty());
}

TEST(ConfigWarnings, PlainHttpToAHostThatIsNotLoopback) {
  Config config;
  config.file = "c.yaml";
  config.accounts = {Account("lab", "env K", "env S", "http://10.0.0.5:8080"),
                     Account("sim", "env K2", "env S2", "http://127.0.0.1:9000"),
                     Account("v6", "env K3", "env S3", "http://[::1]:9000"),
                     Account("local", "env K4", "env S4", "http://localhost:9000"),
                     Account("tls", "env K5", "env S5", "https://10.0.0.5")};
  EXPECT_THAT(ConfigWarnings(config, Modes({})),
              ElementsAre("account lab: api_url http://10.0.0.5:8080 is plain http to a host that "
                          "is not loopback: the API key and secret (the password grant) and "
                          "every token cross the network in cleartext; use https"));
}

TEST(ConfigWarnings, UnknownModesAreSkipped) {
  Config config;
  config.file = "/etc/c.yaml";
  config.accounts = {Account("acme", "inline", "file /run/s")};
  EXPECT_THAT(ConfigWarnings(config, Modes({})), IsEmpty());
}

TEST(IsLoopbackHost, KnowsTheLoopbackSpellings) {
  for (const auto* host : {"localhost", "LOCALHOST", "api.localhost", "127.0.0.1", "127.1.2.3",
                           "[::1]", "[::ffff:127.0.0.1]"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const auto* host :
       {"10.0.0.1", "128.0.0.1", "127.0.0.1.evil.com", "127.0.0", "1127.0.0.1",
        "localhost.evil.com", "[::2]", "127.0.0.256", "merlot-api.centrastage.net"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(RunConfigCheck, PrintsWarningsAndStillExitsZero) {
  testing::FakeEnvironment env;
  env.files = {{"/etc/c.yaml",
                "accounts:\n"
                "  - name: acme\n"
                "    api_url: http://datto-proxy.example:8080\n"
                "    api_key: k3y-value-123\n"
                "    api_secret_file: /run/s\n"},
               {"/run/s", "s3cret-value-456\n"}};
  env.modes = {{"/etc/c.yaml", 0644}, {"/run/s", 0604}};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunConfigCheck("/etc/c.yaml", env.Get(), out, err), kExitOk);
  EXPECT_EQ(err.str(),
            "warning: /run/s: the API secret file of account acme is readable by others (mode "
            "0604); make it readable by the exporter's user only (chmod 600)\n"
            "warning: account acme: api_url http://datto-proxy.example:8080 is plain http to a "
            "host that is not loopback: the API key and secret (the password grant) and every "
            "token cross the network in cleartext; use https\n"
            "warning: /etc/c.yaml: holds credentials inline (account acme) and is readable by "
            "others (mode 0644); chmod o-r it, or move them to api_key_file/api_secret_file\n");
  EXPECT_EQ(err.str().find("k3y-value"), std::string::npos);
}

TEST(LogConfigWarnings, WritesEachWarningToTheLog) {
  testing::LogCapture log;
  Config config;
  config.file = "c.yaml";
  config.accounts = {Account("lab", "env K", "env S", "http://10.0.0.5")};
  testing::FakeEnvironment env;
  LogConfigWarnings(config, env.Get());
  const auto lines = log.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::HasSubstr("level=warn"));
  EXPECT_THAT(lines[0], ::testing::HasSubstr("api_url http://10.0.0.5 is plain http"));
}

}  // namespace
}  // namespace drmm
