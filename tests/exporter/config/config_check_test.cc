#include "exporter/config/config_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "fake_environment.h"

namespace drmm {
namespace {

using ::testing::HasSubstr;

TEST(RunConfigCheck, ValidFilePrintsASecretFreeSummaryAndExitsZero) {
  testing::FakeEnvironment env;
  env.vars = {{"DATTO_RMM_API_SECRET", "sup3r-s3cret-value"}};
  env.files = {{"/etc/c.yaml",
                "accounts:\n"
                "  - name: acme\n"
                "    platform: merlot\n"
                "    api_key: k3y-value-123\n"
                "    collectors: {rate_status: {enabled: false}}\n"}};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunConfigCheck("/etc/c.yaml", env.Get(), out, err), kExitOk);
  EXPECT_EQ(err.str(), "");
  EXPECT_EQ(out.str(),
            "/etc/c.yaml: valid, 1 account\n"
            "  acme: https://merlot-api.centrastage.net; key from inline, secret from env "
            "DATTO_RMM_API_SECRET; alerts every 1m, devices every 5m, sites every 5m, "
            "rate_status off; at most 300 requests/min\n");
}

TEST(RunConfigCheck, InvalidFilePrintsEveryErrorAndExitsTwo) {
  testing::FakeEnvironment env;
  env.files = {{"/etc/c.yaml",
                "accounts:\n"
                "  - name: acme\n"
                "    platform: merlott\n"
                "    api_key: k3y-value-123\n"
                "    api_secret: s3cret-value-456\n"
                "    max_staleness: 1 hour\n"}};
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunConfigCheck("/etc/c.yaml", env.Get(), out, err), kExitBadConfig);
  EXPECT_EQ(kExitBadConfig, 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "/etc/c.yaml:3: accounts[0].platform: unknown platform \"merlott\" (valid: pinotage, "
            "merlot, concord, vidal, zinfandel, syrah; or set api_url instead)\n"
            "/etc/c.yaml:6: accounts[0].max_staleness: \"1 hour\" is not a duration (examples: "
            "30s, 5m, 1h30m)\n");
}

TEST(RunConfigCheck, MissingFileExitsTwo) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunConfigCheck("/nope.yaml", testing::FakeEnvironment{}.Get(), out, err),
            kExitBadConfig);
  EXPECT_THAT(err.str(), HasSubstr("/nope.yaml: cannot read the configuration file: No such file"));
}

TEST(DescribeConfig, CountsAccounts) {
  Config config;
  config.file = "c.yaml";
  config.accounts.resize(2);
  EXPECT_THAT(DescribeConfig(config), ::testing::StartsWith("c.yaml: valid, 2 accounts\n"));
}

}  // namespace
}  // namespace drmm
