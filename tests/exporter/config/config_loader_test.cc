#include "exporter/config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "fake_environment.h"

namespace drmm {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kPem =
    "-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n";

std::string TestDataPath(std::string_view relative) {
  return std::string(DRMM_CONFIG_TESTDATA) + "/" + std::string(relative);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The environment every testdata file is parsed in: default variables set (so a file about one
// error does not also need credentials), and the files the testdata refers to.
testing::FakeEnvironment StandardEnvironment() {
  testing::FakeEnvironment env;
  env.vars = {{"DATTO_RMM_API_KEY", "env-key"}, {"DATTO_RMM_API_SECRET", "env-secret"},
              {"ACME_KEY", "acme-env-key"},     {"ACME_SECRET", "acme-env-secret"},
              {"GLOBEX_KEY", "globex-env-key"}, {"GLOBEX_SECRET", "globex-env-secret"}};
  env.files = {{"/secrets/newline-only", "\n"},
               {"/secrets/two-newlines", "abcd\n\n"},
               {"/secrets/key", "file-key\n"},
               {"/secrets/secret-crlf", "full-secret\r\n"},
               {"/secrets/globex-key", "globex-file-key\n"},
               {"/secrets/globex-secret", "globex-file-secret"},
               {"/certs/ca.pem", std::string(kPem)},
               {"/certs/not-pem.txt", "hello"}};
  return env;
}

// Parses testdata/<relative> with the file's base name in messages.
ConfigResult<Config> ParseTestFile(std::string_view relative,
                                   const testing::FakeEnvironment& env = StandardEnvironment()) {
  const std::string path = TestDataPath(relative);
  return ParseConfig(ReadText(path), std::filesystem::path(path).filename().string(), env.Get());
}

std::vector<std::string> ErrorLines(const ConfigResult<Config>& result) {
  std::vector<std::string> lines;
  for (const auto& error : result.error()) lines.push_back(error.ToString());
  return lines;
}

Config ExpectValid(const ConfigResult<Config>& result) {
  for (const auto& line : ErrorLines(result)) ADD_FAILURE() << line;
  return result.ok() ? result.value() : Config{};
}

// --- bad files: one file per error, the exact message (blackbox_exporter's TestLoadBadConfigs) --

struct BadCase {
  std::string_view file;  // under testdata/bad
  std::vector<std::string> expected;
  bool default_env = true;  // DATTO_RMM_API_KEY / _SECRET set
};

const std::vector<BadCase>& BadCases() {
  static const std::vector<BadCase> cases = {
      {"syntax_error.yaml",
       {"syntax_error.yaml:3: YAML syntax error at column 21: illegal map value"}},
      // yaml-cpp's LoadAll would loop and allocate forever on these: the guard stops them.
      {"leading_comma.yaml",
       {"leading_comma.yaml:1: YAML syntax error at column 1: a ',' where a document or value "
        "should start"}},
      {"comma_after_document.yaml",
       {"comma_after_document.yaml:5: YAML syntax error at column 1: a ',' where a document or "
        "value should start"}},
      {"tab_indent.yaml",
       {"tab_indent.yaml:2: YAML syntax error at column 2: illegal block entry"}},
      // The character after the backslash is part of a secret: never quoted.
      {"bad_escape.yaml",
       {"bad_escape.yaml:4: YAML syntax error at column 24: unknown escape character"}},
      {"empty_file.yaml",
       {"empty_file.yaml:1: accounts: missing: the file is empty; list at least one account "
        "(entries starting with \"- name:\")"}},
      {"root_not_map.yaml",
       {"root_not_map.yaml:1: expected a map (keys: defaults, accounts), got a list"}},
      {"unknown_top_key.yaml",
       {"unknown_top_key.yaml:1: account: unknown key (known keys: defaults, accounts)",
        "unknown_top_key.yaml:1: accounts: missing: list at least one account (entries starting "
        "with \"- name:\")"}},
      {"missing_accounts.yaml",
       {"missing_accounts.yaml:1: accounts: missing: list at least one account (entries starting "
        "with \"- name:\")"}},
      {"empty_accounts.yaml",
       {"empty_accounts.yaml:1: accounts: is empty: list at least one account (entries starting "
        "with \"- name:\")"}},
      {"accounts_null.yaml",
       {"accounts_null.yaml:1: accounts: has no value: list at least one account (entries "
        "starting with \"- name:\")"}},
      {"accounts_map.yaml",
       {"accounts_map.yaml:2: accounts: expected a list of accounts (entries starting with \"- "
        "name:\"), got a map"}},
      {"account_not_map.yaml",
       {"account_not_map.yaml:2: accounts[0]: expected a map (keys: name, platform, api_url, "
        "api_key, api_key_file, api_key_env, api_secret, api_secret_file, api_secret_env, "
        "ca_file, timeouts, max_response_size, max_staleness, rate_limit, pages_in_flight, "
        "collectors, sites, device_metrics, exclude_metrics), got "
        "\"acme\""}},
      {"unknown_account_key.yaml",
       {"unknown_account_key.yaml:4: accounts[0].plattform: unknown key (known keys: name, "
        "platform, api_url, api_key, api_key_file, api_key_env, api_secret, api_secret_file, "
        "api_secret_env, ca_file, timeouts, max_response_size, max_staleness, rate_limit, "
        "pages_in_flight, collectors, sites, device_metrics, exclude_metrics)"}},
      {"unknown_nested_key.yaml",
       {"unknown_nested_key.yaml:5: accounts[0].collectors.alert: unknown key (known keys: "
        "alerts, devices, sites, rate_status)"}},
      {"defaults_unknown_key.yaml",
       {"defaults_unknown_key.yaml:2: defaults.colectors: unknown key (known keys: platform, "
        "api_url, ca_file, timeouts, max_response_size, max_staleness, rate_limit, "
        "pages_in_flight, collectors, sites, device_metrics, exclude_metrics)"}},
      {"credentials_in_defaults.yaml",
       {"credentials_in_defaults.yaml:2: defaults.api_secret_file: not allowed in defaults: name "
        "and credentials are set in each account"}},
      {"merge_key.yaml",
       {"merge_key.yaml:2: accounts[0].<<: YAML merge keys (<<) are not supported; put shared "
        "settings under defaults:",
        "merge_key.yaml:2: accounts[0]: neither platform nor api_url is set: set platform to one "
        "of pinotage, merlot, concord, vidal, zinfandel, syrah, or api_url to "
        "http(s)://host[:port]"}},
      {"duplicate_key.yaml",
       {"duplicate_key.yaml:4: accounts[0].platform: duplicate key (first set on line 3)"}},
      {"second_document.yaml",
       {"second_document.yaml:5: a second YAML document (---) is not allowed: list every "
        "account under one accounts:"}},
      {"missing_name.yaml",
       {"missing_name.yaml:2: accounts[0].name: missing: every account needs a name (its "
        "account label, e.g. name: acme)"}},
      {"bad_name.yaml",
       {"bad_name.yaml:2: accounts[0].name: \"acme corp\" is not a valid account name (letters, "
        "digits and _ . : - only; it becomes the account label)"}},
      {"name_is_map.yaml", {"name_is_map.yaml:2: accounts[0].name: expected a string, got a map"}},
      {"name_no_value.yaml", {"name_no_value.yaml:2: accounts[0].name: has no value"}},
      {"null_value.yaml", {"null_value.yaml:4: accounts[0].max_staleness: has no value"}},
      {"duplicate_account_name.yaml",
       {"duplicate_account_name.yaml:6: accounts[1].name: duplicate account name \"acme\" "
        "(accounts[0] on line 2 has it too); names must be unique"}},
      {"unknown_platform.yaml",
       {"unknown_platform.yaml:3: accounts[0].platform: unknown platform \"merlott\" (valid: "
        "pinotage, merlot, concord, vidal, zinfandel, syrah; or set api_url instead)"}},
      {"platform_and_api_url.yaml",
       {"platform_and_api_url.yaml:4: accounts[0].api_url: set either platform or api_url, not "
        "both (platform is set on line 3)"}},
      {"no_platform_nor_api_url.yaml",
       {"no_platform_nor_api_url.yaml:2: accounts[0]: neither platform nor api_url is set: set "
        "platform to one of pinotage, merlot, concord, vidal, zinfandel, syrah, or api_url to "
        "http(s)://host[:port]"}},
      {"api_url_path.yaml",
       {"api_url_path.yaml:3: accounts[0].api_url: has a path (\"/api/v2\"); give only "
        "scheme://host[:port] (the exporter adds /api/v2 itself)"}},
      {"api_url_scheme.yaml",
       {"api_url_scheme.yaml:3: accounts[0].api_url: has the scheme \"ftp\"; it must start with "
        "http:// or https://"}},
      {"api_url_userinfo.yaml",
       {"api_url_userinfo.yaml:3: accounts[0].api_url: must not contain a user name or password "
        "(user@host); credentials go in api_key and api_secret"}},
      {"api_url_query.yaml",
       {"api_url_query.yaml:3: accounts[0].api_url: has a query string (?...); give only "
        "scheme://host[:port]"}},
      {"api_url_port.yaml",
       {"api_url_port.yaml:3: accounts[0].api_url: has an invalid port \"99999\" (1..65535)"}},
      {"bad_duration.yaml",
       {"bad_duration.yaml:6: accounts[0].collectors.alerts.interval: \"5 minutes\" is not a "
        "duration (examples: 30s, 5m, 1h30m)"}},
      {"duration_without_unit.yaml",
       {"duration_without_unit.yaml:5: accounts[0].timeouts.read: \"30\" is not a duration: add "
        "a unit (examples: 30s, 5m, 1h30m)"}},
      {"zero_timeout.yaml",
       {"zero_timeout.yaml:4: accounts[0].timeouts.connect: must be greater than zero"}},
      {"interval_too_short.yaml",
       {"interval_too_short.yaml:5: accounts[0].collectors.devices.interval: 5s is too short "
        "(minimum 10s: every run spends requests from the account's shared budget)"}},
      {"rate_status_interval_too_short.yaml",
       {"rate_status_interval_too_short.yaml:5: accounts[0].collectors.rate_status.interval: 9s "
        "is too short (minimum 10s: every run spends requests from the account's shared "
        "budget)"}},
      {"staleness_too_short.yaml",
       {"staleness_too_short.yaml:4: accounts[0].max_staleness: 2m is shorter than the longest "
        "enabled collector interval (collectors.devices.interval: 5m); set max_staleness to at "
        "least 5m"}},
      {"staleness_default_too_short.yaml",
       {"staleness_default_too_short.yaml:2: accounts[0].max_staleness: 15m (the default) is "
        "shorter than the longest enabled collector interval (collectors.devices.interval: 30m); "
        "set max_staleness to at least 30m"}},
      {"rpm_out_of_range.yaml",
       {"rpm_out_of_range.yaml:4: accounts[0].rate_limit.requests_per_minute: 700 is out of "
        "range (1..600: the whole Datto account, every integration included, may send 600 "
        "requests per minute)"}},
      {"rpm_not_a_number.yaml",
       {"rpm_not_a_number.yaml:5: accounts[0].rate_limit.requests_per_minute: \"abc\" is not an "
        "integer"}},
      {"int_where_list.yaml",
       {"int_where_list.yaml:5: accounts[0].sites.include: expected a list, got \"5\" (write "
        "[\"5\"] for a list of one)"}},
      {"list_entry_not_string.yaml",
       {"list_entry_not_string.yaml:5: accounts[0].device_metrics.categories[1]: expected a "
        "string, got a map"}},
      {"bad_bool.yaml",
       {"bad_bool.yaml:5: accounts[0].sites.deleted_devices: \"maybe\" is not a boolean (true or "
        "false)"}},
      {"map_expected.yaml",
       {"map_expected.yaml:4: accounts[0].timeouts: expected a map (keys: connect, read, request, "
        "walk), got "
        "\"30s\""}},
      {"invalid_regex.yaml",
       {"invalid_regex.yaml:5: accounts[0].sites.exclude[1]: \"[Lab\" is not a valid regular "
        "expression: Unexpected character within '[...]' in regular expression"}},
      {"exclude_unknown_metric.yaml",
       {"exclude_unknown_metric.yaml:4: accounts[0].exclude_metrics[1]: \"datto_rmm_up\" is not a "
        "metric that can be left out (one of: datto_rmm_site_info, datto_rmm_site_devices, "
        "datto_rmm_site_devices_patch_status, datto_rmm_site_patches, "
        "datto_rmm_site_devices_reboot_required, datto_rmm_site_devices_antivirus_status, "
        "datto_rmm_site_devices_not_seen, datto_rmm_site_devices_warranty, "
        "datto_rmm_site_devices_state, datto_rmm_site_devices_udf, datto_rmm_udf_devices_dropped, "
        "datto_rmm_site_alerts_open, datto_rmm_site_oldest_open_alert_timestamp_seconds, "
        "datto_rmm_alerts_open, datto_rmm_device_info, datto_rmm_device_online, "
        "datto_rmm_device_last_seen_timestamp_seconds, datto_rmm_device_patches_approved_pending, "
        "datto_rmm_device_reboot_required, datto_rmm_device_metrics_dropped)"}},
      {"pages_in_flight_out_of_range.yaml",
       {"pages_in_flight_out_of_range.yaml:4: accounts[0].pages_in_flight: 0 is out of range "
        "(1..16; 1 fetches pages one after another)"}},
      {
          "response_size_too_small.yaml",
          {"response_size_too_small.yaml:4: accounts[0].max_response_size: 500KiB is too small (at "
           "least 1MiB: a page of 250 devices is about 1.3MB)"},
      },
      {"response_size_not_a_size.yaml",
       {"response_size_not_a_size.yaml:4: accounts[0].max_response_size: \"32 megs\" is not a "
        "size (examples: 32MiB, 500KB, 1048576; units B, KB, MB, GB, KiB, MiB, GiB)"}},
      {"max_devices_out_of_range.yaml",
       {"max_devices_out_of_range.yaml:4: accounts[0].device_metrics.max_devices: 0 is out of "
        "range (1..1000000)"}},
      {"secret_file_unreadable.yaml",
       {"secret_file_unreadable.yaml:4: accounts[0].api_secret_file: cannot read "
        "\"/secrets/missing\": No such file or directory"}},
      {"secret_file_empty.yaml",
       {"secret_file_empty.yaml:4: accounts[0].api_secret_file: \"/secrets/newline-only\" is "
        "empty"}},
      {"secret_file_two_newlines.yaml",
       {"secret_file_two_newlines.yaml:4: accounts[0].api_secret_file: the API secret in "
        "\"/secrets/two-newlines\" contains a line break or another control character (only one "
        "trailing newline is stripped from a file)"}},
      {"inline_secret_block_scalar.yaml",
       {"inline_secret_block_scalar.yaml:4: accounts[0].api_secret: the API secret contains a "
        "line break or another control character (write it on one line; a YAML block scalar | "
        "keeps the final newline, |- drops it)"}},
      // One error that names the key and what it wants, not also "no API key" (issue 14).
      {"api_key_list.yaml",
       {"api_key_list.yaml:4: accounts[0].api_key: expected a string, got a list"},
       /*default_env=*/false},
      {"secret_file_map.yaml",
       {"secret_file_map.yaml:5: accounts[0].api_secret_file: expected a string, got a map"},
       /*default_env=*/false},
      {"key_missing_everywhere.yaml",
       {"key_missing_everywhere.yaml:2: accounts[0].api_key: no API key: set api_key, "
        "api_key_file (a file holding it) or api_key_env (the name of an environment variable "
        "holding it), or set the environment variable DATTO_RMM_API_KEY"},
       /*default_env=*/false},
      {"secret_missing_everywhere.yaml",
       {"secret_missing_everywhere.yaml:2: accounts[0].api_secret: no API secret: set "
        "api_secret, api_secret_file (a file holding it) or api_secret_env (the name of an "
        "environment variable holding it), or set the environment variable DATTO_RMM_API_SECRET"},
       /*default_env=*/false},
      {"two_key_sources.yaml",
       {"two_key_sources.yaml:5: accounts[0].api_key_file: set only one of api_key, api_key_file "
        "and api_key_env (api_key is set on line 4)"}},
      {"key_env_unset.yaml",
       {"key_env_unset.yaml:4: accounts[0].api_key_env: the environment variable ACME_DATTO_KEY "
        "is not set"}},
      {"key_env_bad_name.yaml",
       {"key_env_bad_name.yaml:4: accounts[0].api_key_env: \"acme-key\" is not an environment "
        "variable name (letters, digits and _, not starting with a digit)"}},
      {"shared_default_env.yaml",
       {"shared_default_env.yaml:2: accounts[0].api_key: no API key set, and the environment "
        "variable DATTO_RMM_API_KEY cannot serve several accounts (acme, globex would all use "
        "it): give each account its own api_key_env (or api_key_file, api_key)",
        "shared_default_env.yaml:5: accounts[1].api_key: no API key set, and the environment "
        "variable DATTO_RMM_API_KEY cannot serve several accounts (acme, globex would all use "
        "it): give each account its own api_key_env (or api_key_file, api_key)"}},
      {"ca_file_unreadable.yaml",
       {"ca_file_unreadable.yaml:4: accounts[0].ca_file: cannot read \"/certs/missing.pem\": No "
        "such file or directory"}},
      {"max_pause_below_block_pause.yaml",
       {"max_pause_below_block_pause.yaml:4: accounts[0].rate_limit.max_pause: must not be "
        "shorter than default_retry_after (1m) or block_pause (10m)"}},
      {"ca_file_not_pem.yaml",
       {"ca_file_not_pem.yaml:4: accounts[0].ca_file: \"/certs/not-pem.txt\" holds no PEM "
        "certificate (-----BEGIN CERTIFICATE-----)"}},
  };
  return cases;
}

TEST(LoadBadConfigs, EachFileGivesExactlyItsMessages) {
  for (const auto& bad : BadCases()) {
    SCOPED_TRACE(bad.file);
    auto env = StandardEnvironment();
    if (!bad.default_env) {
      env.vars.erase("DATTO_RMM_API_KEY");
      env.vars.erase("DATTO_RMM_API_SECRET");
    }
    const auto result = ParseTestFile("bad/" + std::string(bad.file), env);
    ASSERT_TRUE(!result.ok());
    EXPECT_THAT(ErrorLines(result), ElementsAreArray(bad.expected));
  }
}

TEST(LoadBadConfigs, EveryFileInTestdataBadHasACase) {
  std::set<std::string> listed;
  for (const auto& bad : BadCases()) listed.emplace(bad.file);
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(TestDataPath("bad"))) {
    on_disk.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, on_disk);
}

TEST(LoadBadConfigs, ErrorsCarryFileLineAndPathSeparately) {
  const auto result = ParseTestFile("bad/bad_duration.yaml");
  const auto& errors = result.error();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].file, "bad_duration.yaml");
  EXPECT_EQ(errors[0].line, 6);
  EXPECT_EQ(errors[0].path, "accounts[0].collectors.alerts.interval");
  EXPECT_EQ(errors[0].message, "\"5 minutes\" is not a duration (examples: 30s, 5m, 1h30m)");
}

TEST(LoadBadConfigs, ReportsEveryErrorOfAFileSortedByLine) {
  auto env = StandardEnvironment();
  const auto result = ParseTestFile("many_errors.yaml", env);
  EXPECT_THAT(
      ErrorLines(result),
      ElementsAre(
          "many_errors.yaml:3: accounts[0].platform: unknown platform \"merlott\" (valid: "
          "pinotage, merlot, concord, vidal, zinfandel, syrah; or set api_url instead)",
          "many_errors.yaml:5: accounts[0].collectors.alerts.interval: \"5 minutes\" is not a "
          "duration (examples: 30s, 5m, 1h30m)",
          "many_errors.yaml:6: accounts[0].collectors.devices.interval: 1s is too short (minimum "
          "10s: every run spends requests from the account's shared budget)",
          "many_errors.yaml:7: accounts[0].rate_limit.requests_per_minute: 0 is out of range "
          "(1..600: the whole Datto account, every integration included, may send 600 requests "
          "per minute)",
          "many_errors.yaml:8: accounts[1].name: duplicate account name \"acme\" (accounts[0] on "
          "line 2 has it too); names must be unique",
          "many_errors.yaml:9: accounts[1].api_url: has a path (\"/api\"); give only "
          "scheme://host[:port] (the exporter adds /api/v2 itself)",
          "many_errors.yaml:11: accounts[1].api_secret_file: cannot read \"/secrets/missing\": No "
          "such file or directory",
          "many_errors.yaml:12: accounts[1].plattform: unknown key (known keys: name, platform, "
          "api_url, api_key, api_key_file, api_key_env, api_secret, api_secret_file, "
          "api_secret_env, ca_file, timeouts, max_response_size, max_staleness, rate_limit, "
          "pages_in_flight, collectors, sites, device_metrics, exclude_metrics)"));
}

TEST(LoadBadConfigs, NoMessageEverContainsASecret) {
  testing::FakeEnvironment env;
  env.vars = {{"DATTO_RMM_API_KEY", "ENV-KEY-moose-tulip-6610"},
              {"DATTO_RMM_API_SECRET", "ENV-SECRET-yak-piano-7782"},
              {"LEAKY_KEY", "ENV-KEY-lynx-cello-3321 "}};            // trailing space: an error
  env.files = {{"/secrets/leaky", "FILE-SECRET-pelican-2231\n\n"}};  // two newlines: an error
  const auto result = ParseTestFile("leaky_secret.yaml", env);
  const auto lines = ErrorLines(result);
  ASSERT_GE(lines.size(), 7u) << "the file must fail in many places to be a useful test";
  // The values themselves and distinctive fragments of each (a message that quotes part of a
  // secret is a leak too).
  const std::vector<std::string> secrets = {"KEY-zebra-quartz-7731",
                                            "SECRET-walrus-anvil-9931",
                                            "PASS-heron-lamp-4410",
                                            "KEY-otter-violin-5527",
                                            "SECRET-badger-kite-8812",
                                            "ENV-KEY-moose-tulip-6610",
                                            "ENV-SECRET-yak-piano-7782",
                                            "ENV-KEY-lynx-cello-3321",
                                            "FILE-SECRET-pelican-2231",
                                            "zebra",
                                            "walrus",
                                            "heron",
                                            "otter",
                                            "badger",
                                            "moose",
                                            "yak-piano",
                                            "lynx",
                                            "pelican"};
  for (const auto& line : lines) {
    for (const auto& secret : secrets) {
      EXPECT_EQ(line.find(secret), std::string::npos) << secret << " leaked in: " << line;
    }
  }
  // The secret written into a non-secret key is replaced, not quoted.
  EXPECT_THAT(lines, ::testing::Contains(HasSubstr("unknown platform \"<redacted>\"")));
  // The env value's problem is still explained.
  EXPECT_THAT(lines, ::testing::Contains(
                         "leaky_secret.yaml:16: accounts[2].api_key_env: the API key in the "
                         "environment variable LEAKY_KEY starts or ends with a space"));
}

TEST(LoadBadConfigs, SyntaxErrorInsideASecretDoesNotQuoteIt) {
  const auto result = ParseConfig("accounts:\n  - api_secret: \"ab\\x4Zcd-secret\"\n", "c.yaml",
                                  StandardEnvironment().Get());
  const auto lines = ErrorLines(result);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("c.yaml:2: YAML syntax error"));
  EXPECT_EQ(lines[0].find("4Z"), std::string::npos) << lines[0];
}

// Random bytes must always come back (ctest's timeout catches a hang) with an error that names
// the file. Every fourth text starts with ',', as in the repro: yaml-cpp's LoadAll then
// loops at 100% CPU allocating 350 MB/s, so those fail without the guard.
TEST(LoadBadConfigs, RandomBytesEndInAnError) {
  std::mt19937 random(14);  // fixed: a failure names the iteration, and reruns reproduce it
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> printable(0x20, 0x7e);
  for (int i = 0; i < 200; ++i) {
    SCOPED_TRACE("iteration " + std::to_string(i));
    std::string text(4096, '\0');
    // Half of them all bytes, half printable ASCII (which reaches deeper into the parser).
    for (auto& c : text) c = static_cast<char>(i % 2 == 0 ? byte(random) : printable(random));
    if (i % 4 == 0) text[0] = ',';
    const auto lines = ErrorLines(ParseConfig(text, "random.yaml", StandardEnvironment().Get()));
    ASSERT_FALSE(lines.empty());
    EXPECT_THAT(lines[0], ::testing::StartsWith("random.yaml")) << lines[0];
    if (i % 4 == 0) {
      EXPECT_EQ(lines[0],
                "random.yaml:1: YAML syntax error at column 1: a ',' where a document "
                "or value should start");
    }
  }
}

TEST(LoadConfigFile, UnreadableFileIsOneErrorWithLineZero) {
  testing::FakeEnvironment env;
  env.errors = {{"/etc/datto/config.yaml", "Permission denied"}};
  const auto result = LoadConfigFile("/etc/datto/config.yaml", env.Get());
  const auto& errors = result.error();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 0);
  EXPECT_EQ(errors[0].ToString(),
            "/etc/datto/config.yaml: cannot read the configuration file: Permission denied (see "
            "--config.file)");
}

TEST(LoadConfigFile, ReadsThroughTheEnvironmentAndNamesThePathInMessages) {
  auto env = StandardEnvironment();
  env.files["/etc/datto/config.yaml"] = "accounts:\n  - name: acme\n    platform: nowhere\n";
  const auto lines = ErrorLines(LoadConfigFile("/etc/datto/config.yaml", env.Get()));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::StartsWith("/etc/datto/config.yaml:3: accounts[0].platform: "));
}

// --- good files, resolved values asserted ----------------------------------------------------

TEST(LoadGoodConfigs, MinimalFileGetsEveryDefault) {
  const Config config = ExpectValid(ParseTestFile("good/minimal.yaml"));
  EXPECT_EQ(config.file, "minimal.yaml");
  ASSERT_EQ(config.accounts.size(), 1u);
  const AccountConfig& a = config.accounts[0];
  EXPECT_EQ(a.name, "acme");
  EXPECT_EQ(a.platform, "merlot");
  EXPECT_EQ(a.base_url, "https://merlot-api.centrastage.net");
  EXPECT_EQ(a.api_key, "env-key");
  EXPECT_EQ(a.api_secret, "env-secret");
  EXPECT_EQ(a.api_key_source, "env DATTO_RMM_API_KEY");
  EXPECT_EQ(a.api_secret_source, "env DATTO_RMM_API_SECRET");
  EXPECT_EQ(a.ca_file, "");
  EXPECT_EQ(a.connect_timeout, seconds(5));
  EXPECT_EQ(a.read_timeout, seconds(30));
  EXPECT_EQ(a.max_staleness, minutes(15));
  EXPECT_EQ(a.rate_limit.requests_per_minute, 300);
  EXPECT_EQ(a.rate_limit.default_retry_after, seconds(60));
  EXPECT_EQ(a.rate_limit.block_pause, minutes(5));
  EXPECT_EQ(a.rate_limit.max_pause, std::chrono::hours(1));
  EXPECT_EQ(a.rate_limit.auth_failure_backoff, minutes(5));
  EXPECT_TRUE(a.collectors[Collector::kAlerts].enabled);
  EXPECT_EQ(a.collectors[Collector::kAlerts].interval, seconds(60));
  EXPECT_TRUE(a.collectors[Collector::kDevices].enabled);
  EXPECT_EQ(a.collectors[Collector::kDevices].interval, minutes(5));
  EXPECT_TRUE(a.collectors[Collector::kSites].enabled);
  EXPECT_EQ(a.collectors[Collector::kSites].interval, minutes(5));
  EXPECT_TRUE(a.collectors[Collector::kRateStatus].enabled);
  EXPECT_EQ(a.collectors[Collector::kRateStatus].interval, seconds(30));
  EXPECT_THAT(a.site_filter.include, IsEmpty());
  EXPECT_THAT(a.site_filter.exclude, IsEmpty());
  EXPECT_FALSE(a.site_filter.deleted_devices);
  EXPECT_TRUE(a.site_filter.on_demand);
  EXPECT_FALSE(a.device_metrics.enabled);
  EXPECT_THAT(a.device_metrics.categories, IsEmpty());
  EXPECT_EQ(a.device_metrics.max_devices, 10'000);
  EXPECT_THAT(a.excluded_metrics, IsEmpty());
  EXPECT_EQ(a.request_timeout, minutes(2));
  EXPECT_EQ(a.walk_timeout, std::nullopt);  // max_staleness
  EXPECT_EQ(a.max_response_bytes, 32u << 20);
  EXPECT_EQ(a.pages_in_flight, 6);
}

TEST(LoadGoodConfigs, FullFileSetsEveryKey) {
  const Config config = ExpectValid(ParseTestFile("good/full.yaml"));
  ASSERT_EQ(config.accounts.size(), 1u);
  const AccountConfig& a = config.accounts[0];
  EXPECT_EQ(a.name, "acme-eu.prod:1");
  EXPECT_EQ(a.platform, "concord");
  EXPECT_EQ(a.base_url, "https://concord-api.centrastage.net");
  EXPECT_EQ(a.api_key, "full-key");
  EXPECT_EQ(a.api_key_source, "inline");
  EXPECT_EQ(a.api_secret, "full-secret");  // "\r\n" stripped
  EXPECT_EQ(a.api_secret_source, "file /secrets/secret-crlf");
  EXPECT_EQ(a.ca_file, "/certs/ca.pem");
  EXPECT_EQ(a.connect_timeout, seconds(2));
  EXPECT_EQ(a.read_timeout, seconds(45));
  EXPECT_EQ(a.request_timeout, seconds(90));
  EXPECT_EQ(a.walk_timeout, minutes(10));
  EXPECT_EQ(a.max_response_bytes, 64u << 20);
  EXPECT_EQ(a.pages_in_flight, 8);
  EXPECT_EQ(a.max_staleness, minutes(20));
  EXPECT_EQ(a.rate_limit.requests_per_minute, 120);
  EXPECT_EQ(a.rate_limit.default_retry_after, seconds(90));
  EXPECT_EQ(a.rate_limit.block_pause, minutes(10));
  EXPECT_EQ(a.rate_limit.max_pause, minutes(20));
  EXPECT_EQ(a.rate_limit.auth_failure_backoff, minutes(2));
  EXPECT_EQ(a.collectors[Collector::kAlerts].interval, seconds(30));
  EXPECT_TRUE(a.collectors[Collector::kAlerts].enabled);
  EXPECT_EQ(a.collectors[Collector::kDevices].interval, minutes(10));
  EXPECT_EQ(a.collectors[Collector::kSites].interval, minutes(15));
  EXPECT_EQ(a.collectors[Collector::kRateStatus].interval, minutes(2));
  EXPECT_FALSE(a.collectors[Collector::kRateStatus].enabled);  // "no"
  EXPECT_THAT(a.site_filter.include,
              ElementsAre("^Customer .*", "0f3c1a2e-6a5b-4c1d-9e8f-123456789abc"));
  EXPECT_THAT(a.site_filter.exclude, ElementsAre("^Test .*"));
  EXPECT_TRUE(a.site_filter.deleted_devices);  // "yes"
  EXPECT_FALSE(a.site_filter.on_demand);
  EXPECT_TRUE(a.device_metrics.enabled);
  EXPECT_THAT(a.device_metrics.categories, ElementsAre("Server", "Desktop"));
  EXPECT_EQ(a.device_metrics.max_devices, 500);
  EXPECT_THAT(a.excluded_metrics,
              ElementsAre("datto_rmm_site_patches", "datto_rmm_site_devices_antivirus_status"));
}

TEST(LoadGoodConfigs, DefaultsAreDeepMergedIntoEveryAccount) {
  const Config config = ExpectValid(ParseTestFile("good/multi_account.yaml"));
  ASSERT_EQ(config.accounts.size(), 3u);
  const AccountConfig& acme = config.accounts[0];
  const AccountConfig& globex = config.accounts[1];
  const AccountConfig& lab = config.accounts[2];

  EXPECT_EQ(acme.name, "acme");
  EXPECT_EQ(acme.base_url, "https://merlot-api.centrastage.net");  // platform from defaults
  EXPECT_EQ(acme.api_key, "acme-env-key");
  EXPECT_EQ(acme.api_key_source, "env ACME_KEY");
  EXPECT_EQ(acme.api_secret, "acme-env-secret");
  EXPECT_EQ(acme.rate_limit.requests_per_minute, 200);
  EXPECT_EQ(acme.max_staleness, minutes(30));
  // Setting collectors.alerts keeps the default collectors.devices and .sites.
  EXPECT_EQ(acme.collectors[Collector::kAlerts].interval, minutes(2));
  EXPECT_EQ(acme.collectors[Collector::kDevices].interval, minutes(10));
  EXPECT_EQ(acme.collectors[Collector::kSites].interval, minutes(10));
  EXPECT_EQ(acme.collectors[Collector::kRateStatus].interval, seconds(30));  // built-in
  EXPECT_THAT(acme.site_filter.exclude, ElementsAre("^Test .*"));

  EXPECT_EQ(globex.platform, "syrah");  // overrides the default platform
  EXPECT_EQ(globex.base_url, "https://syrah-api.centrastage.net");
  EXPECT_EQ(globex.api_key, "globex-file-key");
  EXPECT_EQ(globex.api_key_source, "file /secrets/globex-key");
  EXPECT_EQ(globex.api_secret, "globex-file-secret");  // no newline to strip
  EXPECT_EQ(globex.rate_limit.requests_per_minute, 100);
  EXPECT_EQ(globex.rate_limit.block_pause, minutes(5));
  EXPECT_THAT(globex.site_filter.exclude, IsEmpty());  // a list replaces, it does not merge

  // api_url in the account replaces the default platform instead of conflicting with it.
  EXPECT_EQ(lab.platform, "");
  EXPECT_EQ(lab.base_url, "http://127.0.0.1:8780");  // trailing "/" dropped
  EXPECT_EQ(lab.api_key, "demo-key");
  EXPECT_EQ(lab.api_secret, "demo-secret");
  EXPECT_FALSE(lab.collectors[Collector::kDevices].enabled);
  EXPECT_EQ(lab.collectors[Collector::kDevices].interval,
            minutes(10));  // interval still from defaults
  EXPECT_EQ(lab.max_staleness, minutes(30));
}

TEST(LoadGoodConfigs, OneAccountTakesTheDefaultVariablesWhileOthersNameTheirOwn) {
  const Config config = ExpectValid(ParseTestFile("good/env_and_files.yaml"));
  ASSERT_EQ(config.accounts.size(), 2u);
  EXPECT_EQ(config.accounts[0].base_url, "https://pinotage-api.centrastage.net");
  EXPECT_EQ(config.accounts[0].api_key, "env-key");
  EXPECT_EQ(config.accounts[0].api_secret, "env-secret");
  EXPECT_EQ(config.accounts[1].base_url, "https://zinfandel-api.centrastage.net");
  EXPECT_EQ(config.accounts[1].api_key, "globex-env-key");
  EXPECT_EQ(config.accounts[1].api_secret, "globex-file-secret");
}

TEST(LoadGoodConfigs, ApiUrlWithAnIpv6Host) {
  const Config config = ExpectValid(ParseTestFile("good/default_env.yaml"));
  ASSERT_EQ(config.accounts.size(), 1u);
  EXPECT_EQ(config.accounts[0].platform, "");
  EXPECT_EQ(config.accounts[0].base_url, "https://[::1]:8443");
}

TEST(LoadGoodConfigs, ExampleConfigLoadsAsShipped) {
  // With and without the default variables: the example carries the simulator's credentials.
  for (const bool with_env : {false, true}) {
    SCOPED_TRACE(with_env);
    testing::FakeEnvironment env;
    if (with_env) env.vars = {{"DATTO_RMM_API_KEY", "k-env"}, {"DATTO_RMM_API_SECRET", "s-env"}};
    const std::string path = std::string(DRMM_SOURCE_DIR) + "/config.example.yaml";
    const Config config =
        ExpectValid(ParseConfig(ReadText(path), "config.example.yaml", env.Get()));
    ASSERT_EQ(config.accounts.size(), 1u);
    const AccountConfig& a = config.accounts[0];
    EXPECT_EQ(a.base_url, "http://127.0.0.1:8780");
    EXPECT_EQ(a.api_key, "demo-key");
    EXPECT_EQ(a.api_secret, "demo-secret");
  }
}

TEST(LoadGoodConfigs, ExampleConfigDocumentsEveryKey) {
  const std::string text = ReadText(std::string(DRMM_SOURCE_DIR) + "/config.example.yaml");
  for (const std::string_view key : {"defaults:",
                                     "accounts:",
                                     "name:",
                                     "platform:",
                                     "api_url:",
                                     "api_key:",
                                     "api_key_file:",
                                     "api_key_env:",
                                     "api_secret:",
                                     "api_secret_file:",
                                     "api_secret_env:",
                                     "ca_file:",
                                     "timeouts:",
                                     "connect:",
                                     "read:",
                                     "max_staleness:",
                                     "rate_limit:",
                                     "requests_per_minute:",
                                     "default_retry_after:",
                                     "block_pause:",
                                     "max_pause:",
                                     "auth_failure_backoff:",
                                     "collectors:",
                                     "alerts:",
                                     "devices:",
                                     "sites:",
                                     "rate_status:",
                                     "interval:",
                                     "enabled:",
                                     "include:",
                                     "exclude:",
                                     "deleted_devices:",
                                     "on_demand:",
                                     "device_metrics:",
                                     "categories:",
                                     "max_devices:",
                                     "exclude_metrics:",
                                     "request:",
                                     "walk:",
                                     "max_response_size:",
                                     "pages_in_flight:"}) {
    EXPECT_NE(text.find(key), std::string::npos) << key;
  }
}

// --- behaviour on literal strings -------------------------------------------------------------

ConfigResult<Config> Parse(std::string_view yaml) {
  return ParseConfig(yaml, "c.yaml", StandardEnvironment().Get());
}

TEST(ParseConfig, DefaultPlatformIsNotMixedWithAnAccountsApiUrl) {
  const Config config =
      ExpectValid(Parse("defaults: {api_url: 'http://127.0.0.1:8780'}\n"
                        "accounts:\n"
                        "  - {name: a, platform: vidal}\n"));
  EXPECT_EQ(config.accounts[0].base_url, "https://vidal-api.centrastage.net");
}

TEST(ParseConfig, AnErrorInDefaultsIsReportedOnceNotPerAccount) {
  const auto lines = ErrorLines(Parse(
      "defaults: {rate_limit: {requests_per_minute: 601}}\n"
      "accounts:\n"
      "  - {name: a, platform: vidal, api_key_env: ACME_KEY, api_secret_env: ACME_SECRET}\n"
      "  - {name: b, platform: vidal, api_key_env: GLOBEX_KEY, api_secret_env: GLOBEX_SECRET}\n"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], ::testing::StartsWith(
                            "c.yaml:1: defaults.rate_limit.requests_per_minute: 601 is out of"));
}

TEST(ParseConfig, StalenessTooShortFromDefaultsSaysSo) {
  const auto lines =
      ErrorLines(Parse("defaults: {max_staleness: 1m}\n"
                       "accounts:\n"
                       "  - {name: a, platform: vidal}\n"));
  EXPECT_THAT(lines, ElementsAre("c.yaml:1: accounts[0].max_staleness: 1m (from defaults) is "
                                 "shorter than the longest enabled collector interval "
                                 "(collectors.devices.interval: 5m); set max_staleness to at "
                                 "least 5m"));
}

TEST(ParseConfig, DisabledCollectorsDoNotBindMaxStaleness) {
  const Config config =
      ExpectValid(Parse("accounts:\n"
                        "  - name: a\n"
                        "    platform: vidal\n"
                        "    max_staleness: 2m\n"
                        "    collectors:\n"
                        "      devices: {interval: 1h, enabled: false}\n"
                        "      sites: {interval: 2m}\n"));
  EXPECT_EQ(config.accounts[0].max_staleness, minutes(2));
  EXPECT_FALSE(config.accounts[0].collectors[Collector::kDevices].enabled);
  EXPECT_EQ(config.accounts[0].collectors[Collector::kDevices].interval, std::chrono::hours(1));
}

TEST(ParseConfig, MinimumIntervalIsAccepted) {
  const Config config = ExpectValid(
      Parse("accounts:\n"
            "  - {name: a, platform: vidal, collectors: {rate_status: {interval: 10s}}}\n"));
  EXPECT_EQ(config.accounts[0].collectors[Collector::kRateStatus].interval, seconds(10));
}

TEST(ParseConfig, RequestsPerMinuteBounds) {
  for (const auto& [value, ok] :
       std::vector<std::pair<std::string, bool>>{{"1", true},
                                                 {"600", true},
                                                 {"0", false},
                                                 {"601", false},
                                                 {"-5", false},
                                                 {"99999999999999999999", false},
                                                 {"1.5", false}}) {
    SCOPED_TRACE(value);
    const auto result = Parse(
        "accounts:\n  - {name: a, platform: vidal, rate_limit: "
        "{requests_per_minute: " +
        value + "}}\n");
    EXPECT_EQ(result.ok(), ok) << ::testing::PrintToString(ErrorLines(result));
  }
}

TEST(ParseConfig, AnchorsAndAliasesWork) {
  const Config config =
      ExpectValid(Parse("accounts:\n"
                        "  - name: a\n"
                        "    platform: vidal\n"
                        "    api_key_env: ACME_KEY\n"
                        "    api_secret_env: ACME_SECRET\n"
                        "    collectors: &fast {alerts: {interval: 30s}}\n"
                        "  - {name: b, platform: syrah, collectors: *fast}\n"));
  ASSERT_EQ(config.accounts.size(), 2u);
  EXPECT_EQ(config.accounts[1].collectors[Collector::kAlerts].interval, seconds(30));
}

TEST(ParseConfig, YesNoOnOffAreBooleans) {
  const Config config =
      ExpectValid(Parse("accounts:\n"
                        "  - name: a\n"
                        "    platform: vidal\n"
                        "    sites: {deleted_devices: on, on_demand: No}\n"
                        "    device_metrics: {enabled: TRUE}\n"));
  EXPECT_TRUE(config.accounts[0].site_filter.deleted_devices);
  EXPECT_FALSE(config.accounts[0].site_filter.on_demand);
  EXPECT_TRUE(config.accounts[0].device_metrics.enabled);
}

TEST(ParseConfig, DefaultVariableSetButEmptyIsAnError) {
  auto env = StandardEnvironment();
  env.vars["DATTO_RMM_API_SECRET"] = "";
  const auto lines =
      ErrorLines(ParseConfig("accounts:\n  - {name: a, platform: vidal}\n", "c.yaml", env.Get()));
  EXPECT_THAT(lines, ElementsAre("c.yaml:2: accounts[0].api_secret: the environment variable "
                                 "DATTO_RMM_API_SECRET is empty"));
}

TEST(ParseConfig, SharedDefaultVariableIsAnErrorEvenWhenUnset) {
  testing::FakeEnvironment env;  // nothing set: one clear message, not "missing" twice
  const auto lines =
      ErrorLines(ParseConfig("accounts:\n"
                             "  - {name: a, platform: vidal, api_key: k1}\n"
                             "  - {name: b, platform: vidal, api_key: k2}\n",
                             "c.yaml", env.Get()));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], HasSubstr("c.yaml:2: accounts[0].api_secret: no API secret set, and the "
                                  "environment variable DATTO_RMM_API_SECRET cannot serve "
                                  "several accounts (a, b would all use it)"));
  EXPECT_THAT(lines[1], HasSubstr("c.yaml:3: accounts[1].api_secret: "));
}

TEST(ParseConfig, NullListIsAnErrorThatSuggestsEmptyBrackets) {
  const auto lines =
      ErrorLines(Parse("accounts:\n"
                       "  - name: a\n"
                       "    platform: vidal\n"
                       "    sites:\n"
                       "      include:\n"));
  EXPECT_THAT(lines, ElementsAre("c.yaml:5: accounts[0].sites.include: has no value (write [] "
                                 "for an empty list)"));
}

TEST(ParseConfig, EmptyPatternIsAnError) {
  const auto lines =
      ErrorLines(Parse("accounts:\n  - {name: a, platform: vidal, sites: {exclude: ['']}}\n"));
  EXPECT_THAT(lines, ElementsAre("c.yaml:2: accounts[0].sites.exclude[0]: is empty (give a site "
                                 "uid or a regular expression)"));
}

TEST(ParseConfig, TrailingDocumentMarkerIsHarmless) {
  ExpectValid(Parse("accounts:\n  - {name: a, platform: vidal}\n---\n"));
}

}  // namespace
}  // namespace drmm
