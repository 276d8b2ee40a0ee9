// Lints what users get on day one: the Grafana dashboards, the Prometheus rule files and their
// promtool tests, the runbook, and the Grafana provisioning files, Grafana-managed alert rules
// included (read from the repository, DRMM_SOURCE_DIR).
// The second half feeds the lint small literal inputs with one mistake each, so that a lint
// that stopped catching a kind of mistake fails here instead of passing everything.
#include "dashboard_lint.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "grafana_alerting_lint.h"
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

// The default alerts and the optional per-site ones, as one rule file.
YAML::Node AllAlertRules() {
  YAML::Node all;
  for (const char* name : {"datto-rmm-alerts.yml", "optional/datto-rmm-site-alerts.yml"}) {
    for (const YAML::Node& group : RulesFile(name)["groups"]) all["groups"].push_back(group);
  }
  return all;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
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
    if (url.find("var-site_uid=${__data.fields.site_uid:percentencode}") != std::string::npos &&
        url.find("var-account=${__data.fields.account:percentencode}") != std::string::npos) {
      ++table_links;
    }
    if (url.find("var-site_uid=${__field.labels.site_uid:percentencode}") != std::string::npos &&
        url.find("var-account=${__field.labels.account:percentencode}") != std::string::npos) {
      ++series_links;
    }
  }
  EXPECT_GE(table_links, 8) << "the Sites, alert and Needs attention tables link their site cells";
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
        for (const Matcher& m : s.matchers) narrowed = narrowed || m.label == "site_uid";
      }
      EXPECT_TRUE(narrowed) << panel->value("title", "") << ": " << target.value("expr", "");
    }
  }
}

std::string CollapseSpaces(const std::string& text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

TEST(DashboardFiles, NeedsAttentionPanelsShowWhatEachFleetAlertCounts) {
  // A fleet alert's dashboard_url opens an overview panel (viewPanel=<id>) filtered to its
  // account: that panel must list exactly the sites the alert counts, with the same condition.
  const json overview = ReadJson(kRepo / "dashboards" / "datto-rmm-overview.json");
  std::map<long long, std::string> exprs;
  for (const json* panel : AllPanels(overview)) {
    const json targets = panel->value("targets", json::array());
    if (targets.size() == 1) exprs[panel->value("id", 0LL)] = targets[0].value("expr", "");
  }
  const std::string prefix = "count by (job, instance, account) (";
  int fleet = 0;
  for (const YAML::Node& group : RulesFile("datto-rmm-alerts.yml")["groups"]) {
    if (group["name"].as<std::string>() != "datto-rmm-fleet") continue;
    for (const YAML::Node& rule : group["rules"]) {
      ++fleet;
      const std::string name = rule["alert"].as<std::string>();
      const std::string expr = rule["expr"].as<std::string>();
      const std::string url = rule["annotations"]["dashboard_url"].as<std::string>();
      const std::size_t view = url.find("&viewPanel=");
      ASSERT_NE(view, std::string::npos) << name << ": " << url;
      ASSERT_NE(url.find("/d/datto-rmm-overview?"), std::string::npos) << name;
      const long long id = std::stoll(url.substr(view + 11));
      ASSERT_EQ(expr.rfind(prefix, 0), 0U) << name;
      std::string inner = expr.substr(prefix.size(), expr.rfind(") >=") - prefix.size());
      const std::string job = "job=\"datto-rmm\"";
      for (std::size_t at = inner.find(job); at != std::string::npos;
           at = inner.find(job, at + 1)) {
        inner.replace(at, job.size(),
                      "job=~\"$job\", instance=~\"$instance\", account=~\"$account\", "
                      "site_uid=~\"$site_uid\"");
      }
      ASSERT_TRUE(exprs.contains(id)) << name << ": no single-query panel " << id;
      EXPECT_EQ(CollapseSpaces(exprs[id]), CollapseSpaces(inner)) << name << " and panel " << id;
    }
  }
  EXPECT_EQ(fleet, 7);
}

TEST(RuleFiles, RecordingRulesPassTheLint) {
  SeriesCatalog catalog;
  const auto violations = LintRecordingRules(RulesFile("datto-rmm-recording.yml"), catalog);
  EXPECT_TRUE(violations.empty()) << Join(violations);
  EXPECT_TRUE(catalog.IsRecorded("account_site:datto_rmm_devices_offline:ratio"));
}

TEST(RuleFiles, AlertRulesPassTheLint) {
  for (const char* file : {"datto-rmm-alerts.yml", "optional/datto-rmm-site-alerts.yml"}) {
    SCOPED_TRACE(file);
    const auto violations = LintAlertRules(RulesFile(file), CatalogWithRecordings());
    EXPECT_TRUE(violations.empty()) << Join(violations);
  }
}

TEST(RuleFiles, EveryAlertFiresAndStaysQuietInATestAndEveryRecordingIsTested) {
  const std::vector<YAML::Node> tests = {
      YAML::LoadFile((kRepo / "tests/dashboards/rules_test.yml").string()),
      YAML::LoadFile((kRepo / "tests/dashboards/rules_test_long.yml").string())};
  const auto violations = LintRuleTests(
      tests, AllAlertRules(), RulesFile("datto-rmm-recording.yml"), CatalogWithRecordings());
  EXPECT_TRUE(violations.empty()) << Join(violations);
}

TEST(RuleFiles, EverySelectorNamesExactlyTheExportersJob) {
  // The default job selector of mixin/config.libsonnet: the job the shipped examples scrape
  // the exporter with. A regex such as job=~".*datto.*" also matches other Datto products'.
  int selectors = 0;
  for (const char* file :
       {"datto-rmm-alerts.yml", "optional/datto-rmm-site-alerts.yml", "datto-rmm-recording.yml"}) {
    for (const YAML::Node& group : RulesFile(file)["groups"]) {
      for (const YAML::Node& rule : group["rules"]) {
        const std::string expr = rule["expr"].as<std::string>();
        for (const Selector& s : ScanPromQl(expr).selectors) {
          ++selectors;
          const auto jobs = std::count_if(s.matchers.begin(), s.matchers.end(),
                                          [](const Matcher& m) { return m.label == "job"; });
          const bool exact =
              std::any_of(s.matchers.begin(), s.matchers.end(), [](const Matcher& m) {
                return m.label == "job" && m.op == "=" && m.value == "datto-rmm";
              });
          EXPECT_TRUE(jobs == 1 && exact) << file << ": " << s.name << " in " << expr;
        }
      }
    }
  }
  EXPECT_GT(selectors, 40);
}

TEST(RuleFiles, DefaultAlertsArePerAccountAndPerSiteAlertsAreApart) {
  // A per-site alert in the default set is what made 1,210 alerts on a 2,000-site account: the
  // default alerts keep no site label, the per-site file holds the rest.
  const SeriesCatalog catalog = CatalogWithRecordings();
  for (const YAML::Node& group : RulesFile("datto-rmm-alerts.yml")["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string expr = rule["expr"].as<std::string>();
      const PromQlScan scan = ScanPromQl(expr);
      const bool per_site_series =
          std::any_of(scan.selectors.begin(), scan.selectors.end(), [&](const Selector& s) {
            const auto labels = catalog.LabelsOf(s.name);
            return labels && labels->contains("site_uid");
          });
      if (!per_site_series) continue;
      EXPECT_EQ(expr.rfind("count by (job, instance, account) (", 0), 0U)
          << rule["alert"].as<std::string>()
          << " reads per-site series but is not counted per account";
    }
  }
  for (const YAML::Node& group : RulesFile("optional/datto-rmm-site-alerts.yml")["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      EXPECT_EQ(rule["alert"].as<std::string>().rfind("DattoRmmSite", 0), 0U);
    }
  }
}

TEST(Runbook, HasASectionForEveryAlert) {
  // runbook_url points at "#<alert name in lower case>", the anchor of a "## <AlertName>" heading.
  const std::string runbook = ReadText(kRepo / "docs/runbook.md");
  int alerts = 0;
  for (const YAML::Node& group : AllAlertRules()["groups"]) {
    for (const YAML::Node& rule : group["rules"]) {
      const std::string name = rule["alert"].as<std::string>();
      ++alerts;
      EXPECT_NE(runbook.find("\n## " + name + "\n"), std::string::npos)
          << "docs/runbook.md has no section '## " << name << "'";
      for (const char* part : {"**Meaning.**", "**Impact.**", "**Diagnosis.**", "**Fix.**"}) {
        const std::size_t at = runbook.find("\n## " + name + "\n");
        const std::size_t next = runbook.find("\n## ", at + 1);
        EXPECT_NE(runbook.substr(at, next - at).find(part), std::string::npos)
            << name << " has no " << part;
      }
    }
  }
  EXPECT_EQ(alerts, 26);
}

TEST(Provisioning, GrafanaManagedAlertRulesPassTheLint) {
  const YAML::Node datasources =
      YAML::LoadFile((kRepo / "dashboards/provisioning/datasources/prometheus.yml").string());
  const auto violations = LintGrafanaAlerting(
      YAML::LoadFile((kRepo / "dashboards/provisioning/alerting/datto-rmm-alerts.yaml").string()),
      RulesFile("datto-rmm-alerts.yml"), datasources["datasources"][0]["uid"].as<std::string>());
  EXPECT_TRUE(violations.empty()) << Join(violations);
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
    {"name": "site_uid", "type": "query", "includeAll": true, "multi": false,
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "regex": "/site=\"(?<text>.*)\",site_uid=\"(?<value>[^\"]*)\"/",
     "query": "query_result(max by (site_uid, site) (datto_rmm_site_info{job=~\"$job\", instance=~\"$instance\", account=~\"$account\"}))"}
  ]},
  "panels": [
    {"id": 1, "type": "row", "title": "Row", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "panels": []},
    {"id": 2, "type": "timeseries", "title": "Offline",
     "datasource": {"type": "prometheus", "uid": "${datasource}"},
     "gridPos": {"x": 0, "y": 1, "w": 12, "h": 8},
     "fieldConfig": {"defaults": {"unit": "short", "links": [
        {"title": "Site", "url": "/d/lint-sample?var-site_uid=${__field.labels.site_uid:percentencode}"}]},
      "overrides": []},
     "targets": [{"refId": "A", "datasource": {"type": "prometheus", "uid": "${datasource}"},
       "expr": "sum by (site) (datto_rmm_site_devices{job=~\"$job\", instance=~\"$instance\", account=~\"$account\", site_uid=~\"$site_uid\", status=\"offline\"})"}]},
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
  RemoveVariable("site_uid");
  EXPECT_TRUE(HasViolation(Lint(), "no variable site_uid")) << Join(Lint());
}

TEST_F(DashboardLintTest, SiteVariableThatDoesNotSelectByUid) {
  dashboard_["templating"]["list"][4]["regex"] = "/site=\"(?<value>[^\"]*)\"/";
  EXPECT_TRUE(HasViolation(Lint(), "needs a regex with (?<text>...) and site_uid="))
      << Join(Lint());
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
  ReplaceInExpr("site_uid=~\"$site_uid\"", "site_uid=\"$site_uid\"");
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
      "account=~\"$account\", site_uid=~\"$site_uid\"}";
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
          runbook_url: https://example.com/docs/runbook.md#dattormmsample
          dashboard_url: http://grafana:3000/d/datto-rmm-site?var-site_uid={{ $labels.site_uid }}
      - alert: DattoRmmSampleAlerts
        expr: count by (account) (datto_rmm_site_alerts_open{priority="critical", muted="false"} > 0)
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: Critical alerts.
          description: '{{ $value }} sites of {{ $labels.account }}: {{ range query "x" }}{{ .Labels.site }}{{ end }}'
          runbook_url: https://example.com/docs/runbook.md#dattormmsamplealerts
          dashboard_url: http://grafana:3000/d/datto-rmm-overview
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
  EXPECT_TRUE(HasViolation(LintAlertWith("runbook.md#dattormmsample\n", "runbook.md#other\n"),
                           "runbook_url must end in"));
  EXPECT_TRUE(HasViolation(LintAlertWith("runbook_url: https", "notes: https"), "runbook_url"));
  EXPECT_TRUE(HasViolation(LintAlertWith("/d/datto-rmm-site?", "/d/datto-rmm-sites?"),
                           "dashboard_url must open"));
  EXPECT_TRUE(HasViolation(LintAlertWith("for: 15m", "for: 15 minutes"), "not a duration"));
  EXPECT_TRUE(HasViolation(LintAlertWith("for: 15m\n        ", ""), "no 'for'"));
  EXPECT_TRUE(HasViolation(LintAlertWith(", muted=\"false\"", ""), "muted=\"false\""));
  EXPECT_TRUE(HasViolation(LintAlertWith("muted=\"false\"", "muted=\"true\""), "muted=\"false\""));
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
rule_files: [../../rules/datto-rmm-alerts.yml, ../../rules/datto-rmm-recording.yml]  # one missing
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
  EXPECT_TRUE(HasViolation(violations, "does not load all three rule files")) << Join(violations);
  EXPECT_TRUE(HasViolation(violations, "does not have exactly the labels")) << Join(violations);
  EXPECT_TRUE(HasViolation(violations, "account:datto_rmm_devices:sum has no promql_expr_test"))
      << Join(violations);
  EXPECT_FALSE(HasViolation(violations, "DattoRmmSample has no test case where it fires"))
      << Join(violations);
}

// ---- Grafana-managed rules on literal inputs -----------------------------------------------

constexpr const char* kSamplePrometheusAlerts = R"yaml(
groups:
  - name: g
    rules:
      - alert: DattoRmmServersOffline
        expr: count by (account) (x > 0)
        for: 5m
        labels: {severity: critical}
)yaml";

constexpr const char* kSampleGrafanaAlerting = R"yaml(
apiVersion: 1
groups:
  - orgId: 1
    name: g
    folder: Datto RMM
    interval: 1m
    rules:
      - uid: drmm-servers-offline
        title: DattoRmmServersOffline
        condition: B
        for: 5m
        labels: {severity: critical}
        annotations:
          summary: s
          description: '{{ $values.A.Value }} sites'
          runbook_url: https://example.com/runbook.md#dattormmserversoffline
          dashboard_url: http://grafana:3000/d/datto-rmm-overview
        data:
          - refId: A
            datasourceUid: prometheus
            model: {refId: A, expr: 'count by (account) (x > 0)', instant: true}
          - refId: B
            datasourceUid: __expr__
            model: {refId: B, type: math, expression: 'is_number($A) || is_nan($A) || is_inf($A)'}
        noDataState: OK
        execErrState: Error
)yaml";

std::vector<std::string> LintGrafanaWith(std::string_view from, std::string_view to) {
  std::string text = kSampleGrafanaAlerting;
  const std::size_t at = text.find(from);
  if (at == std::string::npos) return {"sample does not contain " + std::string(from)};
  text.replace(at, from.size(), to);
  return LintGrafanaAlerting(YAML::Load(text), YAML::Load(kSamplePrometheusAlerts), "prometheus");
}

TEST(GrafanaAlertingLintTest, SampleIsCleanAndUidsAreKebabCase) {
  const auto violations = LintGrafanaWith("", "");
  EXPECT_TRUE(violations.empty()) << Join(violations);
  EXPECT_EQ(GrafanaRuleUid("DattoRmmSiteDevicesOfflineHigh"), "drmm-site-devices-offline-high");
}

TEST(GrafanaAlertingLintTest, Mistakes) {
  EXPECT_TRUE(HasViolation(LintGrafanaWith("apiVersion: 1", "apiVersion: 2"), "apiVersion"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("condition: B", "condition: C"), "names none"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("datasourceUid: prometheus", "datasourceUid: P1809F"),
                           "not the provisioned 'prometheus'"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("uid: drmm-servers-offline", "uid: 8f3a9c"),
                           "is not the stable drmm-servers-offline"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("is_number($A)", "is_number($C)"), "reads $C"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("expr: 'count", "expr: 'sum"), "expression"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("for: 5m", "for: 1m"), "differs"));
  EXPECT_TRUE(
      HasViolation(LintGrafanaWith("{severity: critical}", "{severity: info}"), "severity"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("{{ $values.A.Value }}", "{{ $value }}"), "$values"));
  EXPECT_TRUE(HasViolation(LintGrafanaWith("title: DattoRmmServersOffline", "title: DattoRmmOther"),
                           "has no Grafana-managed rule"));
  EXPECT_TRUE(HasViolation(
      LintGrafanaWith("          dashboard_url: http://grafana:3000/d/datto-rmm-overview\n", ""),
      "no dashboard_url"));
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
