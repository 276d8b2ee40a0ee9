// Lints what users get on day one: the Grafana dashboards, the Prometheus rule files and their
// promtool tests, and the Grafana provisioning files (read from the repository, DRMM_SOURCE_DIR).
// The second half feeds the lint small literal inputs with one mistake each, so that a lint
// that stopped catching a kind of mistake fails here instead of passing everything.
#include "dashboard_lint.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "promql_scan.h"
#include "rules_lint.h"
#include "series_catalog.h"

namespace drmm::lint {
namespace {

using nlohmann::json;

const std::filesystem::path kRepo = DRMM_SOURCE_DIR;

struct ExpectedDashboard {
  const char* file;
  const char* uid;
};
// The uids are in every bookmarked URL and in the links between the dashboards: never change one.
constexpr std::array<ExpectedDashboard, 3> kDashboards = {{
    {"datto-rmm-overview.json", "datto-rmm-overview"},
    {"datto-rmm-site.json", "datto-rmm-site"},
    {"datto-rmm-exporter.json", "datto-rmm-exporter"},
}};

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += "\n  " + line;
  return out;
}

bool HasViolation(const std::vector<std::string>& violations, std::string_view needle) {
  return std::any_of(violations.begin(), violations.end(),
                     [&](const std::string& v) { return v.find(needle) != std::string::npos; });
}

json ReadJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return json::parse(in);
}

std::set<std::string> ExpectedUids() {
  std::set<std::string> uids;
  for (const auto& d : kDashboards) uids.insert(d.uid);
  return uids;
}

YAML::Node RulesFile(const char* name) { return YAML::LoadFile((kRepo / "rules" / name).string()); }

SeriesCatalog CatalogWithRecordings() {
  SeriesCatalog catalog;
  LintRecordingRules(RulesFile("datto-rmm-recording.yml"), catalog);
  return catalog;
}

// ---- The repository's files ----------------------------------------------------------------

TEST(DashboardFiles, AreExactlyTheExpectedOnes) {
  std::set<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(kRepo / "dashboards")) {
    if (entry.path().extension() == ".json") found.insert(entry.path().filename().string());
  }
  std::set<std::string> expected;
  for (const auto& d : kDashboards) expected.insert(d.file);
  EXPECT_EQ(found, expected) << "add a new dashboard to kDashboards with its uid";
}

TEST(DashboardFiles, ParseAndHaveTheirStableUids) {
  std::set<std::string> seen;
  for (const auto& d : kDashboards) {
    SCOPED_TRACE(d.file);
    json dashboard;
    ASSERT_NO_THROW(dashboard = ReadJson(kRepo / "dashboards" / d.file));
    ASSERT_TRUE(dashboard.is_object());
    EXPECT_EQ(dashboard.value("uid", ""), d.uid);
    EXPECT_TRUE(seen.insert(dashboard.value("uid", "")).second) << "uid used twice";
  }
}

TEST(DashboardFiles, PassTheLint) {
  const SeriesCatalog catalog = CatalogWithRecordings();
  for (const auto& d : kDashboards) {
    SCOPED_TRACE(d.file);
    const auto violations =
        LintDashboard(ReadJson(kRepo / "dashboards" / d.file), catalog, ExpectedUids());
    EXPECT_TRUE(violations.empty()) << Join(violations);
  }
}

TEST(DashboardFiles, OverviewLinksCarryAccountAndSiteIntoTheSiteDashboard) {
  const json overview = ReadJson(kRepo / "dashboards" / "datto-rmm-overview.json");
  int table_links = 0;
  int series_links = 0;
  for (const std::string& url : AllLinkUrls(overview)) {
    if (url.rfind("/d/datto-rmm-site?", 0) != 0) continue;
    EXPECT_NE(url.find("${__url_time_range}"), std::string::npos) << url;
    EXPECT_NE(url.find("${job:queryparam}"), std::string::npos) << url;
    if (url.find("var-site=${__data.fields.site:percentencode}") != std::string::npos &&
        url.find("var-account=${__data.fields.account:percentencode}") != std::string::npos) {
      ++table_links;
    }
    if (url.find("var-site=${__field.labels.site:percentencode}") != std::string::npos &&
        url.find("var-account=${__field.labels.account:percentencode}") != std::string::npos) {
      ++series_links;
    }
  }
  EXPECT_GE(table_links, 2) << "the Sites and alert tables link their site cells";
  EXPECT_GE(series_links, 5) << "the per-site bar gauges link their bars";
}

TEST(DashboardFiles, EverySiteDashboardPanelIsNarrowedToTheSite) {
  // The site dashboard must not show account-wide numbers as if they were the site's, except
  // where a panel says it compares with the whole account.
  const SeriesCatalog catalog = CatalogWithRecordings();
  const json site = ReadJson(kRepo / "dashboards" / "datto-rmm-site.json");
  for (const json* panel : AllPanels(site)) {
    for (const json& target : panel->value("targets", json::array())) {
      const std::string legend = target.value("legendFormat", "");
      if (legend.find("whole account") != std::string::npos) continue;
      bool narrowed = false;
      for (const Selector& s : ScanPromQl(target.value("expr", "")).selectors) {
        for (const Matcher& m : s.matchers) narrowed = narrowed || m.label == "site";
      }
      EXPECT_TRUE(narrowed) << panel->value("title", "") << ": " << target.value("expr", "");
    }
  }
}

TEST(RuleFiles, RecordingRulesPassTheLint) {
  SeriesCatalog catalog;
  const auto violations = LintRecordingRules(RulesFile("datto-rmm-recording.yml"), catalog);
  EXPECT_TRUE(violations.empty()) << Join(violations);
  EXPECT_TRUE(catalog.IsRecorded("account_site:datto_rmm_devices_offline:ratio"));
}

TEST(RuleFiles, AlertRulesPassTheLint) {
  const auto violations =
      LintAlertRules(RulesFile("datto-rmm-alerts.yml"), CatalogWithRecordings());
  EXPECT_TRUE(violations.empty()) << Join(violations);
}

TEST(RuleFiles, EveryAlertFiresAndStaysQuietInATestAndEveryRecordingIsTested) {
  const std::vector<YAML::Node> tests = {
      YAML::LoadFile((kRepo / "tests/dashboards/rules_test.yml").string()),
      YAML::LoadFile((kRepo / "tests/dashboards/rules_test_long.yml").string())};
  const auto violations =
      LintRuleTests(tests, RulesFile("datto-rmm-alerts.yml"), RulesFile("datto-rmm-recording.yml"),
                    CatalogWithRecordings());
  EXPECT_TRUE(violations.empty()) << Join(violations);
}

TEST(RuleFiles, TheJobMatcherIsTheDocumentedDefaultEverywhere) {
  // docs/alerting.md tells users to replace job=~".*datto.*" with a sed one-liner; an `up`
  // selector written differently would escape it.
  int up_selectors = 0;
  for (const YAML::Node& group : RulesFile("datto-rmm-alerts.yml")["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      for (const Selector& s : ScanPromQl(rule["expr"].as<std::string>()).selectors) {
        if (s.name != "up") continue;
        ++up_selectors;
        ASSERT_EQ(s.matchers.size(), 1U) << rule["alert"].as<std::string>();
        EXPECT_EQ(s.matchers[0].label, "job");
        EXPECT_EQ(s.matchers[0].op, "=~");
        EXPECT_EQ(s.matchers[0].value, ".*datto.*");
      }
    }
  }
  EXPECT_EQ(up_selectors, 2);
}

TEST(Provisioning, DatasourceIsThePrometheusService) {
  const YAML::Node file =
      YAML::LoadFile((kRepo / "dashboards/provisioning/datasources/prometheus.yml").string());
  EXPECT_EQ(file["apiVersion"].as<int>(), 1);
  ASSERT_EQ(file["datasources"].size(), 1U);
  const YAML::Node ds = file["datasources"][0];
  EXPECT_EQ(ds["type"].as<std::string>(), "prometheus");
  EXPECT_EQ(ds["url"].as<std::string>(), "http://prometheus:9090");
  EXPECT_EQ(ds["access"].as<std::string>(), "proxy");
  EXPECT_TRUE(ds["isDefault"].as<bool>());
}

TEST(Provisioning, DashboardProviderLoadsTheMountedDirectory) {
  const YAML::Node file =
      YAML::LoadFile((kRepo / "dashboards/provisioning/dashboards/datto-rmm.yml").string());
  EXPECT_EQ(file["apiVersion"].as<int>(), 1);
  ASSERT_EQ(file["providers"].size(), 1U);
  const YAML::Node provider = file["providers"][0];
  EXPECT_EQ(provider["type"].as<std::string>(), "file");
  EXPECT_EQ(provider["options"]["path"].as<std::string>(), "/var/lib/grafana/dashboards/datto-rmm");
}

// ---- The lint on literal inputs ------------------------------------------------------------

constexpr const char* kSampleDashboard = R"json({
  "uid": "lint-sample", "title": "Sample", "schemaVersion": 38, "id": null, "tags": ["datto-rmm"],
  "templating": {"list": [
    {"name": "datasource", "type": "datasource", "query": "prometheus"},
    {"name": "job", "type": "query", "includeAll": true, "multi": true,
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "query": {"query": "label_values(datto_rmm_up, job)"}},
    {"name": "instance", "type": "query", "includeAll": true, "multi": true,
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "query": {"query": "label_values(datto_rmm_up{job=~\"$job\"}, instance)"}},
    {"name": "account", "type": "query", "includeAll": true, "multi": true,
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "query": "label_values(datto_rmm_up{job=~\"$job\", instance=~\"$instance\"}, account)"},
    {"name": "site", "type": "query", "includeAll": true, "multi": false,
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "query": "label_values(datto_rmm_site_info{job=~\"$job\", instance=~\"$instance\", account=~\"$account\"}, site)"}
  ]},
  "panels": [
    {"id": 1, "type": "row", "title": "Row", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "panels": []},
    {"id": 2, "type": "timeseries", "title": "Offline",
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "gridPos": {"x": 0, "y": 1, "w": 12, "h": 8},
     "fieldConfig": {"defaults": {"unit": "short", "links": [
        {"title": "Site", "url": "/d/lint-sample?var-site=${__field.labels.site:percentencode}"}]},
      "overrides": []},
     "targets": [{"refId": "A", "datasource": {"type": "prometheus", "uid": "${datasource}"},
       "expr": "sum by (site) (datto_rmm_site_devices{job=~\"$job\", instance=~\"$instance\", account=~\"$account\", site=~\"$site\", status=\"offline\"})"}]},
    {"id": 3, "type": "stat", "title": "Requests",
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "gridPos": {"x": 12, "y": 1, "w": 12, "h": 8},
     "fieldConfig": {"defaults": {"unit": "reqps"}, "overrides": []},
     "targets": [{"refId": "A", "datasource": {"type": "prometheus", "uid": "${datasource}"},
       "expr": "sum(rate(datto_rmm_api_requests_total{job=~\"$job\", instance=~\"$instance\", account=~\"$account\", code=\"429\"}[$__rate_interval]))"}]}
  ]
})json";

class DashboardLintTest : public ::testing::Test {
 protected:
  std::vector<std::string> Lint() const {
    return LintDashboard(dashboard_, catalog_, {"lint-sample", "datto-rmm-site"});
  }
  // The expression of the "Offline" panel, the one the mutations below change.
  std::string& Expr() {
    return dashboard_["panels"][1]["targets"][0]["expr"].get_ref<std::string&>();
  }
  void RemoveVariable(std::string_view name) {
    auto& list = dashboard_["templating"]["list"];
    list.erase(
        std::remove_if(list.begin(), list.end(), [&](const json& v) { return v["name"] == name; }),
        list.end());
  }
  void ReplaceInExpr(std::string_view from, std::string_view to) {
    std::string& expr = Expr();
    const std::size_t at = expr.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    expr.replace(at, from.size(), to);
  }

  json dashboard_ = json::parse(kSampleDashboard);
  SeriesCatalog catalog_;
};

TEST_F(DashboardLintTest, SampleIsClean) {
  const auto violations = Lint();
  EXPECT_TRUE(violations.empty()) << Join(violations);
}

TEST_F(DashboardLintTest, MissingFilterVariable) {
  RemoveVariable("account");
  EXPECT_TRUE(HasViolation(Lint(), "no variable account")) << Join(Lint());
}

TEST_F(DashboardLintTest, MissingSiteVariableWhilePerSiteSeriesAreQueried) {
  RemoveVariable("site");
  EXPECT_TRUE(HasViolation(Lint(), "no variable site")) << Join(Lint());
}

TEST_F(DashboardLintTest, VariableWithoutRegexEscaping) {
  dashboard_["templating"]["list"][4]["includeAll"] = false;
  EXPECT_TRUE(HasViolation(Lint(), "regex-escapes")) << Join(Lint());
}

TEST_F(DashboardLintTest, HardCodedDatasourceUid) {
  dashboard_["panels"][2]["targets"][0]["datasource"]["uid"] = "P1809F7CD0C75ACF3";
  EXPECT_TRUE(HasViolation(Lint(), "is not ${datasource}")) << Join(Lint());
}

TEST_F(DashboardLintTest, FixedRateRange) {
  auto& expr = dashboard_["panels"][2]["targets"][0]["expr"].get_ref<std::string&>();
  expr.replace(expr.find("$__rate_interval"), 16, "5m");
  EXPECT_TRUE(HasViolation(Lint(), "rate() must use [$__rate_interval]")) << Join(Lint());
}

TEST_F(DashboardLintTest, UnknownSeries) {
  ReplaceInExpr("datto_rmm_site_devices{", "datto_rmm_site_device{");
  EXPECT_TRUE(HasViolation(Lint(), "unknown series datto_rmm_site_device")) << Join(Lint());
}

TEST_F(DashboardLintTest, QueryNotFilteredByAVariable) {
  ReplaceInExpr(" account=~\"$account\",", "");
  EXPECT_TRUE(HasViolation(Lint(), "is not filtered by account=~\"$account\"")) << Join(Lint());
}

TEST_F(DashboardLintTest, VariableInAnotherForm) {
  ReplaceInExpr("site=~\"$site\"", "site=\"$site\"");
  EXPECT_TRUE(HasViolation(Lint(), "template variable in datto_rmm_site_devices")) << Join(Lint());
}

TEST_F(DashboardLintTest, VariableOutsideAMatcher) {
  Expr() += " / $site";
  EXPECT_TRUE(HasViolation(Lint(), "template variable outside")) << Join(Lint());
}

TEST_F(DashboardLintTest, LabelTheSeriesDoesNotHave) {
  ReplaceInExpr("status=\"offline\"", "priority=\"critical\"");
  EXPECT_TRUE(HasViolation(Lint(), "datto_rmm_site_devices has no label priority")) << Join(Lint());
}

TEST_F(DashboardLintTest, LabelValueThatNeverOccurs) {
  ReplaceInExpr("status=\"offline\"", "status=~\"offline|ofline\"");
  EXPECT_TRUE(HasViolation(Lint(), "'ofline' is not a value")) << Join(Lint());
}

TEST_F(DashboardLintTest, DuplicatePanelId) {
  dashboard_["panels"][2]["id"] = 2;
  EXPECT_TRUE(HasViolation(Lint(), "duplicate panel id")) << Join(Lint());
}

TEST_F(DashboardLintTest, PanelWithoutUnit) {
  dashboard_["panels"][1]["fieldConfig"]["defaults"].erase("unit");
  EXPECT_TRUE(HasViolation(Lint(), "unit is not set")) << Join(Lint());
}

TEST_F(DashboardLintTest, MisspelledUnit) {
  dashboard_["panels"][2]["fieldConfig"]["defaults"]["unit"] = "percent_unit";
  EXPECT_TRUE(HasViolation(Lint(), "unit 'percent_unit'")) << Join(Lint());
}

TEST_F(DashboardLintTest, PanelTypeOutsideTheSet) {
  dashboard_["panels"][2]["type"] = "graph";
  EXPECT_TRUE(HasViolation(Lint(), "panel type 'graph'")) << Join(Lint());
}

TEST_F(DashboardLintTest, OverlappingPanels) {
  dashboard_["panels"][2]["gridPos"]["x"] = 6;
  EXPECT_TRUE(HasViolation(Lint(), "overlaps")) << Join(Lint());
}

TEST_F(DashboardLintTest, LinkToAnUnknownDashboard) {
  dashboard_["panels"][1]["fieldConfig"]["defaults"]["links"][0]["url"] = "/d/no-such-uid?x=1";
  EXPECT_TRUE(HasViolation(Lint(), "unknown dashboard uid 'no-such-uid'")) << Join(Lint());
}

TEST_F(DashboardLintTest, BareSelectorInAMergedTable) {
  json& panel = dashboard_["panels"][1];
  panel["type"] = "table";
  json second = panel["targets"][0];
  second["refId"] = "B";
  second["expr"] =
      "datto_rmm_site_devices_reboot_required{job=~\"$job\", instance=~\"$instance\", "
      "account=~\"$account\", site=~\"$site\"}";
  panel["targets"].push_back(second);
  EXPECT_TRUE(HasViolation(Lint(), "target B: a bare selector in a merged table")) << Join(Lint());
  EXPECT_FALSE(HasViolation(Lint(), "target A: a bare selector")) << Join(Lint());
}

TEST_F(DashboardLintTest, UnstableUid) {
  dashboard_["uid"] = "";
  EXPECT_TRUE(HasViolation(Lint(), "not a stable slug")) << Join(Lint());
}

// ---- Rules on literal inputs ---------------------------------------------------------------

constexpr const char* kSampleRecording = R"yaml(
groups:
  - name: sample.rules
    rules:
      - record: account_site:datto_rmm_devices:sum
        expr: sum by (job, instance, account, site_uid, site) (datto_rmm_site_devices)
      - record: account:datto_rmm_devices:sum
        expr: sum by (job, instance, account) (account_site:datto_rmm_devices:sum)
)yaml";

constexpr const char* kSampleAlerts = R"yaml(
groups:
  - name: sample
    rules:
      - alert: DattoRmmSample
        expr: datto_rmm_site_devices{category="Server", status="offline"} > 0
        for: 15m
        labels:
          severity: critical
        annotations:
          summary: Servers offline.
          description: '{{ $value }} servers offline at {{ $labels.site }} ({{ $labels.account }}).'
          runbook: Check the servers.
)yaml";

TEST(RulesLintTest, SamplesAreClean) {
  SeriesCatalog catalog;
  EXPECT_TRUE(LintRecordingRules(YAML::Load(kSampleRecording), catalog).empty());
  const auto violations = LintAlertRules(YAML::Load(kSampleAlerts), catalog);
  EXPECT_TRUE(violations.empty()) << Join(violations);
}

std::vector<std::string> LintAlertWith(std::string_view from, std::string_view to) {
  std::string text = kSampleAlerts;
  const std::size_t at = text.find(from);
  if (at == std::string::npos) return {"sample does not contain " + std::string(from)};
  text.replace(at, from.size(), to);
  SeriesCatalog catalog;
  LintRecordingRules(YAML::Load(kSampleRecording), catalog);
  return LintAlertRules(YAML::Load(text), catalog);
}

TEST(RulesLintTest, AlertMistakes) {
  EXPECT_TRUE(
      HasViolation(LintAlertWith("DattoRmmSample", "DattoRMMSample"), "DattoRmm<CamelCase>"));
  EXPECT_TRUE(
      HasViolation(LintAlertWith("severity: critical", "severity: page"), "labels.severity"));
  EXPECT_TRUE(HasViolation(LintAlertWith("{{ $value }} servers", "Servers"), "($value)"));
  EXPECT_TRUE(HasViolation(LintAlertWith(" ({{ $labels.account }})", ""), "name the account"));
  EXPECT_TRUE(HasViolation(LintAlertWith("runbook: Check", "notes: Check"), "no runbook"));
  EXPECT_TRUE(HasViolation(LintAlertWith("for: 15m", "for: 15 minutes"), "not a duration"));
  EXPECT_TRUE(
      HasViolation(LintAlertWith("status=\"offline\"", "state=\"offline\""), "has no label state"));
  EXPECT_TRUE(
      HasViolation(LintAlertWith("datto_rmm_site_devices{category=\"Server\", status=\"offline\"}",
                                 "account_site:datto_rmm_devices:sum"),
                   "uses recorded series"));
  EXPECT_TRUE(
      HasViolation(LintAlertWith("datto_rmm_site_devices{category=\"Server\", status=\"offline\"}",
                                 "rate(datto_rmm_api_requests_total[$__rate_interval])"),
                   "needs a fixed range"));
}

TEST(RulesLintTest, RecordingMistakes) {
  SeriesCatalog catalog;
  const auto bad_name = LintRecordingRules(YAML::Load(R"yaml(
groups:
  - name: g
    rules:
      - record: datto_rmm_devices_sum
        expr: sum(datto_rmm_site_devices)
      - record: tenant:datto_rmm_devices:sum
        expr: sum(datto_rmm_site_devices)
      - record: account:datto_rmm_devices_offline:ratio
        expr: account:datto_rmm_devices_offline:sum / account:datto_rmm_devices:sum
      - record: account:datto_rmm_devices:sum
        expr: sum by (job, instance, account) (datto_rmm_site_devices)
)yaml"),
                                           catalog);
  EXPECT_TRUE(HasViolation(bad_name, "is not level:metric:operation")) << Join(bad_name);
  EXPECT_TRUE(HasViolation(bad_name, "level word 'tenant'")) << Join(bad_name);
  EXPECT_TRUE(HasViolation(bad_name, "unknown series account:datto_rmm_devices_offline:sum"))
      << Join(bad_name);
  EXPECT_TRUE(HasViolation(bad_name, "uses account:datto_rmm_devices:sum before it is recorded"))
      << Join(bad_name);
}

TEST(RulesLintTest, RuleTestMistakes) {
  SeriesCatalog catalog;
  const YAML::Node recording = YAML::Load(kSampleRecording);
  LintRecordingRules(recording, catalog);
  const YAML::Node tests = YAML::Load(R"yaml(
rule_files: [../../rules/datto-rmm-alerts.yml, ../../rules/datto-rmm-recording.yml]
tests:
  - name: fires only
    input_series:
      - series: 'datto_rmm_site_devices{job="j", instance="i", account="a", site="s", category="Server", status="offline"}'
        values: '1x20'
    alert_rule_test:
      - eval_time: 20m
        alertname: DattoRmmSample
        exp_alerts: [{exp_labels: {severity: critical}}]
    promql_expr_test:
      - expr: account_site:datto_rmm_devices:sum
        eval_time: 1m
        exp_samples: []
)yaml");
  const auto violations = LintRuleTests({tests}, YAML::Load(kSampleAlerts), recording, catalog);
  EXPECT_TRUE(HasViolation(violations, "DattoRmmSample has no test case where it does not fire"))
      << Join(violations);
  EXPECT_TRUE(HasViolation(violations, "does not have exactly the labels")) << Join(violations);
  EXPECT_TRUE(HasViolation(violations, "account:datto_rmm_devices:sum has no promql_expr_test"))
      << Join(violations);
  EXPECT_FALSE(HasViolation(violations, "DattoRmmSample has no test case where it fires"))
      << Join(violations);
}

// ---- The scanner ---------------------------------------------------------------------------

TEST(PromQlScanTest, FindsSelectorsMatchersAndRanges) {
  const PromQlScan scan = ScanPromQl(
      "sum by (job, le) (rate(x_bucket{a=\"b\", c=~'d|e'}[5m]))\n"
      "/ on (job) group_left (le) topk(10, y > 0.5) and z offset 1h # comment with w{}\n");
  EXPECT_TRUE(scan.errors.empty()) << Join(scan.errors);
  ASSERT_EQ(scan.selectors.size(), 3U);
  EXPECT_EQ(scan.selectors[0].name, "x_bucket");
  ASSERT_EQ(scan.selectors[0].matchers.size(), 2U);
  EXPECT_EQ(scan.selectors[0].matchers[1].label, "c");
  EXPECT_EQ(scan.selectors[0].matchers[1].op, "=~");
  EXPECT_EQ(scan.selectors[0].matchers[1].value, "d|e");
  EXPECT_EQ(scan.selectors[1].name, "y");
  EXPECT_EQ(scan.selectors[2].name, "z");
  ASSERT_EQ(scan.ranges.size(), 1U);
  EXPECT_EQ(scan.ranges[0].function, "rate");
  EXPECT_EQ(scan.ranges[0].range, "5m");
}

TEST(PromQlScanTest, RecordingNamesSubqueriesAndStrings) {
  const PromQlScan scan = ScanPromQl(
      "max_over_time(account:x:ratio{job=~\"$job\"}[1h:5m]) "
      "+ label_replace(v, \"dst\", \"$1\", \"src\", \"(.*)\") - time()");
  EXPECT_TRUE(scan.errors.empty()) << Join(scan.errors);
  ASSERT_EQ(scan.selectors.size(), 2U);
  EXPECT_EQ(scan.selectors[0].name, "account:x:ratio");
  EXPECT_EQ(scan.selectors[0].matchers[0].value, "$job");
  EXPECT_EQ(scan.selectors[1].name, "v");
  ASSERT_EQ(scan.ranges.size(), 1U);
  EXPECT_EQ(scan.ranges[0].function, "max_over_time");
  EXPECT_EQ(scan.ranges[0].range, "1h:5m");
}

TEST(PromQlScanTest, ReportsWhatItCannotRead) {
  EXPECT_FALSE(ScanPromQl("{job=\"x\"}").errors.empty());
  EXPECT_FALSE(ScanPromQl("x{job=\"x\"").errors.empty());
  EXPECT_FALSE(ScanPromQl("x{job}").errors.empty());
  EXPECT_FALSE(ScanPromQl("sum(x").errors.empty());
  EXPECT_FALSE(ScanPromQl("x / $var").errors.empty());
}

TEST(PromQlScanTest, PlainAlternatives) {
  EXPECT_EQ(PlainAlternatives("critical|high"), (std::vector<std::string>{"critical", "high"}));
  EXPECT_EQ(PlainAlternatives("offline"), (std::vector<std::string>{"offline"}));
  EXPECT_TRUE(PlainAlternatives(".*").empty());
  EXPECT_TRUE(PlainAlternatives("a|").empty());
  EXPECT_TRUE(PlainAlternatives("sites|devices|(alerts)").empty());
}

}  // namespace
}  // namespace drmm::lint
