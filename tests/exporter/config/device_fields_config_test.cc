// device_metrics keys added for issue 18 (stale ages, warranty horizon, UDF labels, UDF site
// counts and their cap), on literal YAML: the values read, and one exact message per mistake.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "exporter/config/config_loader.h"
#include "fake_environment.h"

namespace drmm {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::ElementsAre;

ConfigResult<Config> Parse(const std::string& device_metrics) {
  testing::FakeEnvironment env;
  env.vars = {{"DATTO_RMM_API_KEY", "k"}, {"DATTO_RMM_API_SECRET", "s"}};
  return ParseConfig(
      "accounts:\n  - name: acme\n    platform: merlot\n    device_metrics:\n" + device_metrics,
      "c.yaml", env.Get());
}

std::vector<std::string> Errors(const std::string& device_metrics) {
  std::vector<std::string> lines;
  const auto result = Parse(device_metrics);
  for (const auto& error : result.error()) lines.push_back(error.ToString());
  return lines;
}

DeviceMetricsConfig Valid(const std::string& device_metrics) {
  const auto result = Parse(device_metrics);
  if (!result.ok()) {
    for (const auto& error : result.error()) ADD_FAILURE() << error.ToString();
    return {};
  }
  return result.value().accounts.at(0).device_metrics;
}

TEST(DeviceFieldsConfig, DefaultsAreOneSevenThirtyDaysAndAThirtyDayHorizon) {
  const DeviceMetricsConfig config = Valid("      enabled: false\n");
  EXPECT_THAT(config.stale_after,
              ElementsAre(milliseconds(days(1)), milliseconds(days(7)), milliseconds(days(30))));
  EXPECT_EQ(config.warranty_horizon, milliseconds(days(30)));
  EXPECT_TRUE(config.udf_labels.empty());
  EXPECT_EQ(config.max_udf_values, 50);
}

TEST(DeviceFieldsConfig, ReadsEveryKeyAndSortsAgesAndLabels) {
  const DeviceMetricsConfig config = Valid(
      "      stale_after: [14d, 12h, 2d]\n"
      "      warranty_horizon: 90d\n"
      "      udf_labels: {udf5: owner, udf300: contract, udf12: tier}\n"
      "      udf_site_counts: [contract]\n"
      "      max_udf_values: 7\n");
  EXPECT_THAT(config.stale_after,
              ElementsAre(milliseconds(hours(12)), milliseconds(days(2)), milliseconds(days(14))));
  EXPECT_EQ(config.warranty_horizon, milliseconds(days(90)));
  EXPECT_THAT(config.udf_labels,
              ElementsAre(UdfLabelConfig{300, "contract", true}, UdfLabelConfig{5, "owner", false},
                          UdfLabelConfig{12, "tier", false}));
  EXPECT_EQ(config.max_udf_values, 7);
}

TEST(DeviceFieldsConfig, AnEmptyAgeListTurnsStaleCountsOff) {
  EXPECT_TRUE(Valid("      stale_after: []\n").stale_after.empty());
}

TEST(DeviceFieldsConfig, UdfSiteCountsFromDefaultsApplyToTheAccountsLabels) {
  testing::FakeEnvironment env;
  env.vars = {{"DATTO_RMM_API_KEY", "k"}, {"DATTO_RMM_API_SECRET", "s"}};
  const auto result = ParseConfig(
      "defaults:\n  device_metrics: {udf_site_counts: [contract]}\n"
      "accounts:\n  - name: acme\n    platform: merlot\n"
      "    device_metrics: {udf_labels: {udf1: contract}}\n",
      "c.yaml", env.Get());
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(result.value().accounts[0].device_metrics.udf_labels,
              ElementsAre(UdfLabelConfig{1, "contract", true}));
}

TEST(DeviceFieldsConfig, EachMistakeNamesItsKeyAndWhatIsWrong) {
  EXPECT_THAT(Errors("      stale_after: [7d, 0s]\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.stale_after[1]: \"0s\" is not a "
                          "duration greater than zero (e.g. 1d, 7d, 12h)"));
  EXPECT_THAT(Errors("      stale_after: [7d, 1w]\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.stale_after[1]: \"1w\" is not a "
                          "duration greater than zero (e.g. 1d, 7d, 12h)"));
  EXPECT_THAT(Errors("      stale_after: [7d, 168h]\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.stale_after[1]: \"168h\" is "
                          "listed twice"));
  EXPECT_THAT(
      Errors("      stale_after: [1h, 2h, 3h, 4h, 5h, 6h, 7h, 8h, 9h, 10h, 11h]\n"),
      ElementsAre("c.yaml:5: accounts[0].device_metrics.stale_after: lists 11 ages; at most 10 "
                  "(each is one series per site)"));
  EXPECT_THAT(Errors("      warranty_horizon: 0s\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.warranty_horizon: must be "
                          "greater than zero"));
  EXPECT_THAT(Errors("      udf_labels: [udf1]\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels: expected a map from "
                          "a UDF to a label name (udf5: contract), got a list"));
  EXPECT_THAT(Errors("      udf_labels: {udf301: x}\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels.udf301: \"udf301\" "
                          "is not a UDF (udf1 .. udf300)"));
  EXPECT_THAT(Errors("      udf_labels: {udf05: x}\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels.udf05: \"udf05\" is "
                          "not a UDF (udf1 .. udf300)"));
  EXPECT_THAT(Errors("      udf_labels: {udf1: contract-tier}\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels.udf1: "
                          "\"contract-tier\" is not a valid label name: letters, digits and _ "
                          "only, not starting with a digit"));
  EXPECT_THAT(Errors("      udf_labels: {udf1: __name}\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels.udf1: \"__name\" is "
                          "not a valid label name: names starting with __ are reserved by "
                          "Prometheus"));
  EXPECT_THAT(Errors("      udf_labels: {udf1: hostname}\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels.udf1: \"hostname\" "
                          "is not a valid label name: datto_rmm_device_info has a label of that "
                          "name already (account, device_uid, hostname, category, device_class, "
                          "os, site_uid, site)"));
  EXPECT_THAT(Errors("      udf_labels: {udf1: tier, udf2: tier}\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_labels.udf2: label \"tier\" "
                          "is used for udf1 too; label names must be unique"));
  EXPECT_THAT(Errors("      udf_labels: {udf1: tier}\n      udf_site_counts: [owner]\n"),
              ElementsAre("c.yaml:6: accounts[0].device_metrics.udf_site_counts[0]: \"owner\" "
                          "is not a label of device_metrics.udf_labels (tier)"));
  EXPECT_THAT(Errors("      udf_site_counts: [owner]\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.udf_site_counts[0]: \"owner\" "
                          "is not a label of device_metrics.udf_labels (none is set)"));
  EXPECT_THAT(Errors("      max_udf_values: 0\n"),
              ElementsAre("c.yaml:5: accounts[0].device_metrics.max_udf_values: 0 is out of "
                          "range (1..10000)"));
}

}  // namespace
}  // namespace drmm
