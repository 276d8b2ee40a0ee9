#include "exporter/config/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace drmm {
namespace {

using ::testing::HasSubstr;

Result<Flags> Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"datto-rmm-exporter"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ParseFlags(static_cast<int>(argv.size()), argv.data());
}

Flags ExpectFlags(const Result<Flags>& result) {
  if (!result.ok()) {
    ADD_FAILURE() << result.error().message;
    return {};
  }
  return result.value();
}

std::string ExpectError(const Result<Flags>& result) {
  if (!result.ok()) return result.error().message;
  ADD_FAILURE() << "parsed, but an error was expected";
  return "";
}

TEST(ParseFlags, NoArgumentsGiveTheDocumentedDefaults) {
  const Flags flags = ExpectFlags(Parse({}));
  EXPECT_EQ(flags.config_file, "config.yaml");
  EXPECT_FALSE(flags.config_check);
  EXPECT_EQ(flags.listen_addresses, std::vector<std::string>{":9768"});
  EXPECT_EQ(flags.web_config_file, "");
  EXPECT_FALSE(flags.systemd_socket);
  EXPECT_FALSE(flags.enable_lifecycle);
  EXPECT_EQ(flags.max_requests, 40);
  EXPECT_EQ(flags.telemetry_path, "/metrics");
  EXPECT_EQ(flags.log_level, LogLevel::kInfo);
  EXPECT_EQ(flags.log_format, LogFormat::kLogfmt);
  EXPECT_FALSE(flags.version);
  EXPECT_FALSE(flags.help);
}

TEST(ParseFlags, BothSpellingsOfAValue) {
  const Flags flags =
      ExpectFlags(Parse({"--config.file=/etc/a.yaml", "--web.listen-address", "127.0.0.1:0",
                         "--log.level", "debug", "--log.format=json", "--web.telemetry-path=/m"}));
  EXPECT_EQ(flags.config_file, "/etc/a.yaml");
  EXPECT_EQ(flags.listen_addresses, std::vector<std::string>{"127.0.0.1:0"});
  EXPECT_EQ(flags.log_level, LogLevel::kDebug);
  EXPECT_EQ(flags.log_format, LogFormat::kJson);
  EXPECT_EQ(flags.telemetry_path, "/m");
}

TEST(ParseFlags, EveryLogLevel) {
  EXPECT_EQ(ExpectFlags(Parse({"--log.level=warn"})).log_level, LogLevel::kWarn);
  EXPECT_EQ(ExpectFlags(Parse({"--log.level=error"})).log_level, LogLevel::kError);
  EXPECT_EQ(ExpectFlags(Parse({"--log.level=info"})).log_level, LogLevel::kInfo);
}

TEST(ParseFlags, BooleanFlags) {
  const Flags flags = ExpectFlags(Parse({"--config.check", "--version", "-h", "--healthcheck"}));
  EXPECT_TRUE(flags.config_check);
  EXPECT_TRUE(flags.healthcheck);
  EXPECT_FALSE(ExpectFlags(Parse({})).healthcheck);
  EXPECT_TRUE(flags.version);
  EXPECT_TRUE(flags.help);
  EXPECT_TRUE(ExpectFlags(Parse({"--help"})).help);
}

TEST(ParseFlags, AValueMayContainEqualsSigns) {
  EXPECT_EQ(ExpectFlags(Parse({"--config.file=a=b.yaml"})).config_file, "a=b.yaml");
}

TEST(ParseFlags, ListenAddressForms) {
  for (const char* address :
       {":9768", "0.0.0.0:9768", "127.0.0.1:0", "[::1]:9768", "localhost:9768", "[::]:65535"}) {
    SCOPED_TRACE(address);
    const std::string arg = std::string("--web.listen-address=") + address;
    EXPECT_EQ(ExpectFlags(Parse({arg.c_str()})).listen_addresses,
              std::vector<std::string>{address});
  }
}

TEST(ParseFlags, ListenAddressRepeatedListensOnEach) {
  const Flags flags = ExpectFlags(
      Parse({"--web.listen-address=127.0.0.1:9768", "--web.listen-address", "[::1]:9768"}));
  EXPECT_EQ(flags.listen_addresses, (std::vector<std::string>{"127.0.0.1:9768", "[::1]:9768"}))
      << "the default :9768 is replaced, not kept beside them";
  EXPECT_EQ(ExpectError(Parse({"--web.listen-address=:1", "--web.listen-address=:1"})),
            "--web.listen-address: \":1\" is given twice");
}

TEST(ParseFlags, WebFlags) {
  const Flags flags = ExpectFlags(Parse({"--web.config.file=/etc/web.yml", "--web.systemd-socket",
                                         "--web.enable-lifecycle", "--web.max-requests=0"}));
  EXPECT_EQ(flags.web_config_file, "/etc/web.yml");
  EXPECT_TRUE(flags.systemd_socket);
  EXPECT_TRUE(flags.enable_lifecycle);
  EXPECT_EQ(flags.max_requests, 0);
  EXPECT_EQ(ExpectFlags(Parse({"--web.max-requests", "7"})).max_requests, 7);
  EXPECT_EQ(ExpectError(Parse({"--web.max-requests=-1"})),
            "--web.max-requests: \"-1\" is not a number 0..100000");
  EXPECT_EQ(ExpectError(Parse({"--web.max-requests=many"})),
            "--web.max-requests: \"many\" is not a number 0..100000");
  EXPECT_EQ(ExpectError(Parse({"--web.enable-lifecycle=true"})),
            "--web.enable-lifecycle: takes no value");
  EXPECT_EQ(ExpectError(Parse({"--web.config.file=a", "--web.config.file=b"})),
            "--web.config.file: given more than once");
}

TEST(ParseFlags, ErrorsNameTheFlag) {
  EXPECT_EQ(ExpectError(Parse({"--log.level=verbose"})),
            "--log.level: \"verbose\" is not one of debug, info, warn, error");
  EXPECT_EQ(ExpectError(Parse({"--log.format", "text"})),
            "--log.format: \"text\" is not one of logfmt, json");
  EXPECT_EQ(ExpectError(Parse({"--web.listen.address=:1"})), "--web.listen.address: unknown flag");
  EXPECT_EQ(ExpectError(Parse({"-config.file=a"})), "-config.file: unknown flag");
  EXPECT_EQ(ExpectError(Parse({"--config.check=true"})), "--config.check: takes no value");
  EXPECT_EQ(ExpectError(Parse({"--version=1"})), "--version: takes no value");
  EXPECT_EQ(ExpectError(Parse({"--config.file"})), "--config.file: needs a value");
  EXPECT_EQ(ExpectError(Parse({"--config.file="})), "--config.file: needs a value");
  EXPECT_EQ(ExpectError(Parse({"--log.level", "--version"})), "--log.level: needs a value");
  EXPECT_EQ(ExpectError(Parse({"--log.level=info", "--log.level=debug"})),
            "--log.level: given more than once");
  EXPECT_EQ(ExpectError(Parse({"config.yaml"})),
            "unexpected argument \"config.yaml\": this program takes only flags");
  EXPECT_EQ(ExpectError(Parse({"--config.check", "true"})),
            "unexpected argument \"true\": this program takes only flags");
}

TEST(ParseFlags, BadListenAddresses) {
  constexpr std::string_view kForm =
      " is not [host]:port with a port 0..65535 (examples: :9768, 0.0.0.0:9768, [::1]:9768)";
  EXPECT_EQ(ExpectError(Parse({"--web.listen-address=9768"})),
            "--web.listen-address: \"9768\"" + std::string(kForm));
  EXPECT_EQ(ExpectError(Parse({"--web.listen-address=:http"})),
            "--web.listen-address: \":http\"" + std::string(kForm));
  EXPECT_EQ(ExpectError(Parse({"--web.listen-address=:65536"})),
            "--web.listen-address: \":65536\"" + std::string(kForm));
  EXPECT_EQ(ExpectError(Parse({"--web.listen-address=[::1]9768"})),
            "--web.listen-address: \"[::1]9768\"" + std::string(kForm));
  EXPECT_EQ(ExpectError(Parse({"--web.listen-address=::1:9768"})),
            "--web.listen-address: \"::1:9768\" is not [host]:port: an IPv6 host needs brackets, "
            "as in [::1]:9768");
}

TEST(ParseFlags, BadTelemetryPaths) {
  EXPECT_EQ(ExpectError(Parse({"--web.telemetry-path=metrics"})),
            "--web.telemetry-path: \"metrics\" must start with \"/\", as in /metrics");
  EXPECT_EQ(ExpectError(Parse({"--web.telemetry-path=/"})),
            "--web.telemetry-path: \"/\" is the landing page; use a path such as /metrics");
  EXPECT_EQ(ExpectError(Parse({"--web.telemetry-path=/-/metrics"})),
            "--web.telemetry-path: \"/-/metrics\" is under /-/, which is reserved for /-/healthy "
            "and /-/ready");
  // Anything that is not a plain path segment, regex-like characters included: the web
  // server must never read the path as a pattern (a "[" would abort it, "/.*" would take over
  // /-/healthy).
  for (const char* path :
       {"/m?x=1", "/m#top", "/m etrics", "/m[", "/metrics(", "/.*", "/a+b", "/m%20x", "/m\\d"}) {
    const std::string flag = std::string("--web.telemetry-path=") + path;
    EXPECT_EQ(ExpectError(Parse({flag.c_str()})),
              std::string("--web.telemetry-path: \"") + path +
                  "\" must be a plain path (letters, digits and - . _ ~ / only)");
  }
  const Flags accepted = ExpectFlags(Parse({"--web.telemetry-path=/probe/v1.0_x~y-z"}));
  EXPECT_EQ(accepted.telemetry_path, "/probe/v1.0_x~y-z");
}

TEST(FlagsHelp, ListsEveryFlagWithItsDefault) {
  const std::string help = FlagsHelp();
  for (const char* expected :
       {"--help", "-h", "--config.file=config.yaml", "--config.check", "--web.listen-address=:9768",
        "--web.config.file", "--web.systemd-socket", "--web.enable-lifecycle",
        "--web.max-requests=40", "SIGHUP re-reads the configuration",
        "--web.telemetry-path=/metrics", "--log.level=info", "--log.format=logfmt", "--version",
        "--healthcheck", "DATTO_RMM_API_KEY", "DATTO_RMM_API_SECRET"}) {
    EXPECT_THAT(help, HasSubstr(expected));
  }
  // One line per flag: the meaning follows the name on the same line.
  EXPECT_THAT(help, ::testing::ContainsRegex("--log.level=info +Only log messages"));
  EXPECT_THAT(help, ::testing::ContainsRegex("--version +Show the version and exit."));
}

TEST(FlagsHelp, EveryFlagInTheHelpParses) {
  // Guards the table: a flag shown in --help is one the parser knows.
  for (const char* flag : {"--config.check", "--version", "--help", "-h", "--healthcheck"}) {
    SCOPED_TRACE(flag);
    EXPECT_TRUE(Parse({flag}).ok());
  }
  for (const char* flag : {"--config.file=x", "--web.listen-address=:1", "--web.telemetry-path=/x",
                           "--log.level=debug", "--log.format=json"}) {
    SCOPED_TRACE(flag);
    EXPECT_TRUE(Parse({flag}).ok());
  }
}

}  // namespace
}  // namespace drmm
