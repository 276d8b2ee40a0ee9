// Keeps the metrics catalog, what the code exposes, and docs/metrics.md in step. When the table
// differs, the test prints the regenerated one; DRMM_UPDATE_GOLDEN=1 rewrites it in place.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "exporter/catalog/catalog.h"
#include "exporter/metrics/process_metrics.h"
#include "exporter/metrics/self_metrics.h"
#include "golden_file.h"
#include "golden_snapshot.h"
#include "prometheus/check_names.h"
#include "prometheus/registry.h"
#include "support/served_families.h"

namespace drmm {
namespace {

constexpr std::string_view kBegin = "<!-- BEGIN GENERATED METRICS TABLE";
constexpr std::string_view kEnd = "<!-- END GENERATED METRICS TABLE -->";

// Everything /metrics can show: a fully populated snapshot, self metrics with every family
// touched, and the process collector.
std::vector<prometheus::MetricFamily> EverythingExposed() {
  auto families = testing::ServedFamilies(testing::GoldenSnapshot());
  SelfMetrics self("1.0.0", "abc");
  auto& observer = self.ObserverFor("acme");
  observer.OnRequest("/api/v2/account/devices", "200", 0.5);
  observer.OnDecodeError("/api/v2/account/devices");
  observer.OnDecodeWarnings("/api/v2/account/devices", 1);
  for (auto& family : self.registry()->Collect()) families.push_back(std::move(family));
  for (auto& family : ProcessCollectable().Collect()) families.push_back(std::move(family));
  return families;
}

TEST(MetricsCatalogTest, EntriesFollowTheNamingRules) {
  std::set<std::string_view> names;
  for (const MetricSpec* spec : kMetricCatalog) {
    EXPECT_TRUE(names.insert(spec->name).second) << "duplicate " << spec->name;
    EXPECT_TRUE(prometheus::CheckMetricName(std::string(spec->name))) << spec->name;
    const bool total = spec->name.ends_with("_total");
    EXPECT_EQ(total, spec->type == prometheus::MetricType::Counter) << spec->name;
    EXPECT_FALSE(spec->help.empty()) << spec->name;
    EXPECT_FALSE(spec->source.empty()) << spec->name;
    std::set<std::string> labels;
    for (const auto& label : LabelNames(*spec)) {
      EXPECT_TRUE(prometheus::CheckLabelName(label)) << spec->name << " " << label;
      EXPECT_TRUE(labels.insert(label).second) << spec->name << " repeats " << label;
    }
    // The process metrics and promhttp's handler metrics keep the names every exporter
    // exposes them under (dashboards and alerts for any exporter query them); the rest are ours.
    const bool promhttp = spec->name.starts_with("promhttp_metric_handler_");
    if (spec->source != "process" && !promhttp) {
      EXPECT_TRUE(spec->name.starts_with("datto_rmm_")) << spec->name;
    }
    // Only what describes the exporter itself is not per account.
    const bool whole_exporter = spec->source == "process" || promhttp ||
                                spec->name == "datto_rmm_exporter_build_info" ||
                                spec->name.starts_with("datto_rmm_config_");
    if (!whole_exporter) {
      EXPECT_TRUE(labels.contains("account")) << spec->name;
    }
    // Data from a collector is cached: HELP says so and how often it is refreshed.
    for (const std::string collector : {"sites", "devices", "alerts", "rate_status"}) {
      if (spec->source != collector) continue;
      EXPECT_NE(
          spec->help.find("Cached; refreshed by the " + collector + " collector (default every "),
          std::string_view::npos)
          << spec->name;
    }
  }
}

TEST(MetricsCatalogTest, EveryExposedFamilyIsInTheCatalogAndViceVersa) {
  std::set<std::string> exposed;
  for (const auto& family : EverythingExposed()) {
    exposed.insert(family.name);
    const MetricSpec* spec = FindMetric(family.name);
    ASSERT_NE(spec, nullptr) << family.name << " is exposed but not in kMetricCatalog";
    EXPECT_EQ(family.type, spec->type) << family.name;
    EXPECT_EQ(family.help, spec->help) << family.name;
    auto expected = LabelNames(*spec);
    std::sort(expected.begin(), expected.end());
    for (const auto& metric : family.metric) {
      std::vector<std::string> names;
      for (const auto& label : metric.label) names.push_back(label.name);
      // device_info also carries the configured UDF labels (the golden account maps two).
      if (spec == &kMetricDeviceInfo) {
        std::erase_if(names, [](const std::string& n) { return n == "contract" || n == "owner"; });
      }
      std::sort(names.begin(), names.end());
      EXPECT_EQ(names, expected) << family.name;
    }
  }
  for (const MetricSpec* spec : kMetricCatalog) {
    EXPECT_TRUE(exposed.contains(std::string(spec->name)))
        << spec->name << " is in kMetricCatalog but nothing exposes it";
  }
}

TEST(MetricsDocsTest, TableInDocsMatchesTheCatalog) {
  const std::string path = testing::SourcePath("docs/metrics.md");
  const auto text = testing::ReadText(path);
  ASSERT_TRUE(text.has_value()) << "missing " << path;
  const auto begin = text->find(kBegin);
  const auto end = text->find(kEnd);
  ASSERT_NE(begin, std::string::npos) << path << " lacks the line " << kBegin << " ... -->";
  ASSERT_NE(end, std::string::npos) << path << " lacks the line " << kEnd;
  const auto table_start = text->find('\n', begin);
  ASSERT_LT(table_start, end);
  const std::string documented = text->substr(table_start + 1, end - table_start - 1);
  const std::string generated = MetricsTableMarkdown();
  if (documented != generated && testing::UpdateGolden()) {
    const std::string updated = text->substr(0, table_start + 1) + generated + text->substr(end);
    ASSERT_TRUE(testing::WriteText(path, updated)) << path;
    return;
  }
  EXPECT_EQ(documented, generated)
      << path << " is out of date with src/exporter/catalog/catalog.h; rerun with "
      << "DRMM_UPDATE_GOLDEN=1 to rewrite its table, which should read:\n"
      << generated;
}

}  // namespace
}  // namespace drmm
