// The shared ground-truth comparison (support/ground_truth_compare.h) on a small scrape and
// ground truth in testdata/: equal as given, and each kind of difference named once.
#include "support/ground_truth_compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/exposition_text.h"

namespace drmm::testing {
namespace {

std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(DRMM_TOOLS_TESTDATA) + "/" + name);
  EXPECT_TRUE(in) << "cannot read testdata/" << name;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// The exporter's default site filter: "Deleted Devices" out, everything else in.
bool DefaultFilter(const std::string&, const std::string& name, bool) {
  return name != "Deleted Devices";
}

// Replaces the one occurrence of `from` in `text`.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

class GroundTruthCompareTest : public ::testing::Test {
 protected:
  GroundTruthComparison Compare(const std::string& metrics) {
    return CompareWithGroundTruth(ParseExposition(metrics), "acme", truth_, DefaultFilter);
  }

  const std::string metrics_ = ReadTestData("metrics.prom");
  const nlohmann::json truth_ = nlohmann::json::parse(ReadTestData("ground-truth.json"));
};

TEST_F(GroundTruthCompareTest, EqualScrapeHasNoDifferences) {
  const auto result = Compare(metrics_);
  EXPECT_THAT(result.differences, ::testing::IsEmpty());
  EXPECT_EQ(result.sites_compared, 1);  // the Deleted Devices site is filtered out
  // info 1, not seen 3, warranty 4, state 3, alerts 4, oldest 2, devices total 1 + by
  // category 2, patch status 2, patches 2, reboot 1, antivirus 2, account-wide alerts 2 + their
  // total 1.
  EXPECT_EQ(result.values_compared, 30);
}

TEST_F(GroundTruthCompareTest, NamesAWrongValueWithBothFigures) {
  const auto result =
      Compare(Replaced(metrics_, R"(state="installed"} 10)", R"(state="installed"} 9)"));
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_EQ(result.differences[0],
            R"(site Acme Ltd (site-a): datto_rmm_site_patches{account="acme",site="Acme Ltd",)"
            R"(site_uid="site-a",state="installed"} is 9, ground truth 10)");
}

TEST_F(GroundTruthCompareTest, NamesAMissingSeries) {
  const auto result = Compare(Replaced(
      metrics_,
      "datto_rmm_site_devices_reboot_required{account=\"acme\",site_uid=\"site-a\",site=\"Acme "
      "Ltd\"} 1\n",
      ""));
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_THAT(result.differences[0],
              ::testing::HasSubstr("datto_rmm_site_devices_reboot_required{account=\"acme\","
                                   "site=\"Acme Ltd\",site_uid=\"site-a\"} is not served"));
}

TEST_F(GroundTruthCompareTest, OldestAlertTimestampWithinAMillisecond) {
  EXPECT_THAT(Compare(Replaced(metrics_, "1764900000.25", "1764900000.2505")).differences,
              ::testing::IsEmpty());
  EXPECT_THAT(Compare(Replaced(metrics_, "1764900000.25", "1764900000.26")).differences,
              ::testing::ElementsAre(::testing::HasSubstr("is 1764900000.26, ground truth "
                                                          "1764900000.25")));
}

TEST_F(GroundTruthCompareTest, ExtraDeviceSeriesBreakTheSiteTotal) {
  const auto result = Compare(Replaced(metrics_, R"(category="Server",status="online"} 0)",
                                       R"(category="Server",status="online"} 1)"));
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_THAT(result.differences[0],
              ::testing::HasSubstr("datto_rmm_site_devices adds up to 4, ground truth "
                                   "devices_total 3"));
}

TEST_F(GroundTruthCompareTest, AnExcludedSiteMustNotBeExported) {
  const auto result = Compare(
      metrics_ +
      "datto_rmm_site_alerts_open{account=\"acme\",site_uid=\"site-deleted\",site=\"Deleted "
      "Devices\",priority=\"low\",muted=\"false\"} 0\n");
  EXPECT_THAT(result.differences,
              ::testing::ElementsAre("site Deleted Devices (site-deleted): excluded by the site "
                                     "filter, but exported"));
}

TEST_F(GroundTruthCompareTest, AccountWideAlertsPerTypeAndTheirTotal) {
  const auto result = Compare(metrics_ +
                              "datto_rmm_alerts_open{account=\"acme\",priority=\"high\",type="
                              "\"ping_ctx\",muted=\"false\"} 5\n");
  EXPECT_THAT(result.differences,
              ::testing::ElementsAre("account acme: datto_rmm_alerts_open adds up to 8, ground "
                                     "truth 3"));
}

TEST_F(GroundTruthCompareTest, NamesAWrongStaleWarrantyOrStateCount) {
  const auto result = Compare(
      Replaced(Replaced(Replaced(metrics_, R"(older_than="7d"} 1)", R"(older_than="7d"} 0)"),
                        R"(warranty="expiring"} 0)", R"(warranty="expiring"} 1)"),
               R"(state="suspended"} 1)", R"(state="suspended"} 0)"));
  EXPECT_THAT(
      result.differences,
      ::testing::UnorderedElementsAre(
          ::testing::HasSubstr(R"(older_than="7d",site="Acme Ltd",site_uid="site-a"} is 0, )"
                               R"(ground truth 1)"),
          ::testing::HasSubstr(R"(warranty="expiring"} is 1, ground truth 0)"),
          ::testing::HasSubstr(R"(state="suspended"} is 0, ground truth 1)")));
}

TEST_F(GroundTruthCompareTest, SiteInfoCarriesTheAutotaskCompany) {
  const auto result =
      Compare(Replaced(metrics_, R"(autotask_company_id="29612345")", R"(autotask_company_id="")"));
  ASSERT_EQ(result.differences.size(), 1u);
  EXPECT_THAT(result.differences[0],
              ::testing::HasSubstr(R"(autotask_company_id="29612345",)"
                                   R"(autotask_company_name="Acme Limited",)"));
}

TEST_F(GroundTruthCompareTest, UdfCountsComparedOnlyWhenConfiguredAndMustAddUp) {
  const std::map<std::string, std::string> contract = {{"udf1", "contract"}};
  auto with_udfs = [&](const std::string& metrics) {
    return CompareWithGroundTruth(ParseExposition(metrics), "acme", truth_, DefaultFilter,
                                  contract);
  };
  const auto equal = with_udfs(metrics_);
  EXPECT_THAT(equal.differences, ::testing::IsEmpty());
  EXPECT_EQ(equal.values_compared, 30 + 3);  // two values and their total
  const auto extra =
      with_udfs(metrics_ +
                "datto_rmm_site_devices_udf{account=\"acme\",site_uid=\"site-a\",site=\"Acme "
                "Ltd\",udf=\"contract\",value=\"Bronze\"} 4\n");
  EXPECT_THAT(extra.differences,
              ::testing::ElementsAre(::testing::HasSubstr(
                  R"(datto_rmm_site_devices_udf{udf="contract"} adds up to 7, ground truth 3)")));
  const auto wrong = with_udfs(Replaced(metrics_, R"(value="Gold"} 2)", R"(value="Gold"} 1)"));
  EXPECT_THAT(wrong.differences,
              ::testing::ElementsAre(::testing::HasSubstr("is 1, ground truth 2"),
                                     ::testing::HasSubstr("adds up to 2, ground truth 3")));
}

TEST_F(GroundTruthCompareTest, NoIncludedSiteIsADifference) {
  const auto result = CompareWithGroundTruth(ParseExposition(metrics_), "acme", truth_,
                                             [](const auto&, const auto&, bool) { return false; });
  EXPECT_EQ(result.sites_compared, 0);
  EXPECT_THAT(result.differences,
              ::testing::Contains("no site of the ground truth is exported by the filter"));
}

}  // namespace
}  // namespace drmm::testing
