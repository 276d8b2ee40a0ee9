// The end-to-end tests' own helpers, on literal inputs: what they compare with must be able to
// fail, and the process class must report exit codes and clean up after itself.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>

#include "dashboard_queries.h"
#include "fill_template.h"
#include "ground_truth_queries.h"
#include "gunzip.h"
#include "launch.h"
#include "programs.h"
#include "prometheus_api.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace drmm::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(SimulatorBanner, GivesThePortOfExactlyTheDocumentedLine) {
  EXPECT_EQ(PortFromSimulatorBanner("datto-rmm-sim listening on http://127.0.0.1:43993"), 43993);
  EXPECT_EQ(PortFromSimulatorBanner("datto-rmm-sim listening on http://127.0.0.1:"), std::nullopt);
  EXPECT_EQ(PortFromSimulatorBanner("datto-rmm-sim listening on http://127.0.0.1:80x"),
            std::nullopt);
  EXPECT_EQ(PortFromSimulatorBanner("datto-rmm-sim listening on http://127.0.0.1:123456"),
            std::nullopt);
  EXPECT_EQ(PortFromSimulatorBanner("listening on http://127.0.0.1:8780"), std::nullopt);
}

TEST(PromQueryAnswer, ReadsVectorsScalarsAndErrors) {
  const auto vector =
      ParsePromQueryResponse(200, R"({"status":"success","data":{"resultType":"vector","result":[
        {"metric":{"__name__":"up","job":"a"},"value":[1700000000.1,"1"]},
        {"metric":{"job":"b"},"value":[1700000000.1,"NaN"]}]}})");
  ASSERT_TRUE(vector.ok) << vector.error;
  ASSERT_EQ(vector.samples.size(), 2u);
  EXPECT_EQ(vector.samples[0].labels.at("job"), "a");
  EXPECT_EQ(vector.samples[0].value, 1);
  EXPECT_TRUE(std::isnan(vector.samples[1].value));

  const auto scalar = ParsePromQueryResponse(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1.5,"2.25"]}})");
  ASSERT_TRUE(scalar.ok);
  ASSERT_EQ(scalar.samples.size(), 1u);
  EXPECT_EQ(scalar.samples[0].value, 2.25);

  const auto error = ParsePromQueryResponse(
      400, R"({"status":"error","errorType":"bad_data","error":"parse error at char 3"})");
  EXPECT_FALSE(error.ok);
  EXPECT_EQ(error.error, "bad_data: parse error at char 3");
  EXPECT_FALSE(ParsePromQueryResponse(502, "<html>Bad Gateway</html>").ok);
  EXPECT_FALSE(ParsePromQueryResponse(
                   200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})")
                   .ok);
}

json Truth() {
  return json::parse(R"({
    "sites": [
      {"uid": "s1", "name": "Main Office", "on_demand": false, "deleted_devices_site": false,
       "portal_url": "https://p/s1",
       "autotask_company_id": "296", "autotask_company_name": "Main Office Ltd",
       "devices_not_seen": {"1d": 1, "7d": 1, "30d": 0},
       "devices_warranty": {"expired": 1, "expiring": 0, "active": 1, "unknown": 1},
       "devices_state": {"active": 2, "suspended": 1, "deleted": 0},
       "devices_by_udf": {"udf1": {"": 1, "Gold": 2}},
       "devices_total": 3,
       "devices_online_by_category": {"Desktop": 2}, "devices_offline_by_category": {"Server": 1},
       "patch_status": {"fully_patched": 2, "install_error": 1},
       "patches": {"approved_pending": 4, "not_approved": 0, "installed": 9},
       "reboot_required": 1,
       "antivirus_status": {"running_and_up_to_date": 3},
       "alerts_open": {"false": {"critical": 1, "high": 0}, "true": {"critical": 1}},
       "alerts_open_by_type": {"false": {"critical": {"patch_ctx": 1}},
                               "true": {"critical": {"patch_ctx": 1}}},
       "oldest_open_alert_timestamp_seconds": {"false": {"critical": 1700000000.123},
                                               "true": {}}},
      {"uid": "s2", "name": "Empty", "on_demand": true, "deleted_devices_site": false,
       "portal_url": "",
       "autotask_company_id": "", "autotask_company_name": "",
       "devices_not_seen": {"1d": 0, "7d": 0, "30d": 0},
       "devices_warranty": {"expired": 0, "expiring": 0, "active": 0, "unknown": 0},
       "devices_state": {"active": 0, "suspended": 0, "deleted": 0},
       "devices_by_udf": {"udf1": {}},
       "devices_total": 0, "devices_online_by_category": {}, "devices_offline_by_category": {},
       "patch_status": {"fully_patched": 0}, "patches": {"installed": 0}, "reboot_required": 0,
       "antivirus_status": {"not_detected": 0}, "alerts_open": {"false": {"critical": 2}},
       "alerts_open_by_type": {"false": {"critical": {"patch_ctx": 1, "ping_ctx": 1}}},
       "oldest_open_alert_timestamp_seconds": {}},
      {"uid": "dd", "name": "Deleted Devices", "on_demand": false, "deleted_devices_site": true,
       "portal_url": "https://p/dd",
       "autotask_company_id": "", "autotask_company_name": "",
       "devices_not_seen": {"1d": 5, "7d": 5, "30d": 5},
       "devices_warranty": {"expired": 0, "expiring": 0, "active": 0, "unknown": 5},
       "devices_state": {"active": 0, "suspended": 0, "deleted": 5},
       "devices_by_udf": {"udf1": {"": 5}},
       "devices_total": 5, "devices_online_by_category": {},
       "devices_offline_by_category": {"Desktop": 5}, "patch_status": {"fully_patched": 5},
       "patches": {"installed": 1}, "reboot_required": 0, "antivirus_status": {},
       "alerts_open": {"false": {"critical": 7}},
       "alerts_open_by_type": {"false": {"critical": {"patch_ctx": 7}}},
       "oldest_open_alert_timestamp_seconds": {}}
    ]})");
}

const TruthQuery& Find(const std::vector<TruthQuery>& queries, const std::string& family) {
  for (const auto& query : queries) {
    if (query.promql.find(family + "{") != std::string::npos) return query;
  }
  throw std::runtime_error("no query for " + family);
}

TEST(GroundTruthQueries, ExpectTheExportedSitesAsTheExporterLabelsThem) {
  const auto queries = GroundTruthQueries(Truth(), "acme");
  EXPECT_EQ(queries.size(), 13u);
  const TruthQuery info = Find(queries, "datto_rmm_site_info");
  EXPECT_EQ(info.promql,
            "sum by (site_uid, site, on_demand, portal_url, autotask_company_id, "
            "autotask_company_name) (datto_rmm_site_info{account=\"acme\"})");
  EXPECT_EQ(
      info.expected,
      (SeriesValues{{{"s1", "Main Office", "false", "https://p/s1", "296", "Main Office Ltd"}, 1},
                    {{"s2", "Empty", "true", "", "", ""}, 1}}));
  // Every site at every age, state and warranty, at 0 without devices; not Deleted Devices.
  EXPECT_EQ(Find(queries, "datto_rmm_site_devices_not_seen").expected,
            (SeriesValues{{{"s1", "1d"}, 1},
                          {{"s1", "7d"}, 1},
                          {{"s1", "30d"}, 0},
                          {{"s2", "1d"}, 0},
                          {{"s2", "7d"}, 0},
                          {{"s2", "30d"}, 0}}));
  EXPECT_EQ(Find(queries, "datto_rmm_site_devices_state").expected.at({"s1", "suspended"}), 1);
  EXPECT_EQ(Find(queries, "datto_rmm_site_devices_warranty").expected.size(), 8u);
  // The UDF values of udf1 (mapped to "contract" in the e2e config), unset as "".
  const TruthQuery udf = Find(queries, "datto_rmm_site_devices_udf");
  EXPECT_NE(udf.promql.find("udf=\"contract\""), std::string::npos);
  EXPECT_EQ(udf.expected, (SeriesValues{{{"s1", ""}, 1}, {{"s1", "Gold"}, 2}}));
  // Both statuses of every category the site has; nothing for a site without devices.
  EXPECT_EQ(Find(queries, "datto_rmm_site_devices").expected,
            (SeriesValues{{{"s1", "Desktop", "online"}, 2},
                          {{"s1", "Desktop", "offline"}, 0},
                          {{"s1", "Server", "online"}, 0},
                          {{"s1", "Server", "offline"}, 1}}));
  EXPECT_EQ(Find(queries, "datto_rmm_site_devices_reboot_required").expected,
            (SeriesValues{{{"s1"}, 1}}));
  EXPECT_EQ(Find(queries, "datto_rmm_site_alerts_open").expected,
            (SeriesValues{{{"s1", "critical", "false"}, 1},
                          {{"s1", "high", "false"}, 0},
                          {{"s1", "critical", "true"}, 1},
                          {{"s2", "critical", "false"}, 2}}));
  // Account-wide: the exported sites only (not the 7 of Deleted Devices).
  EXPECT_EQ(Find(queries, "datto_rmm_alerts_open").expected,
            (SeriesValues{{{"critical", "patch_ctx", "false"}, 2},
                          {{"critical", "patch_ctx", "true"}, 1},
                          {{"critical", "ping_ctx", "false"}, 1}}));
  const TruthQuery oldest = Find(queries, "datto_rmm_site_oldest_open_alert_timestamp_seconds");
  EXPECT_EQ(oldest.expected, (SeriesValues{{{"s1", "critical", "false"}, 1700000000.123}}));
  EXPECT_GT(oldest.tolerance, 0);
}

TEST(GroundTruthQueries, DiffNamesEveryMissingExtraAndWrongSeries) {
  const std::vector<std::string> by = {"site_uid", "priority"};
  const SeriesValues expected = {{{"s1", "critical"}, 1}, {{"s1", "high"}, 0}};
  EXPECT_TRUE(DiffSeries(by, expected, expected, 0).empty());
  const SeriesValues actual = {{{"s1", "critical"}, 2}, {{"s9", "low"}, 0}};
  const auto differences = DiffSeries(by, expected, actual, 0);
  ASSERT_EQ(differences.size(), 3u);
  EXPECT_EQ(differences[0], "{priority=\"critical\", site_uid=\"s1\"}: expected 1, got 2");
  EXPECT_EQ(differences[1], "missing {priority=\"high\", site_uid=\"s1\"} (expected 0)");
  EXPECT_EQ(differences[2], "unexpected {priority=\"low\", site_uid=\"s9\"} = 0");
  EXPECT_TRUE(DiffSeries(by, {{{"a", "b"}, 1.0}}, {{{"a", "b"}, 1.0005}}, 1e-3).empty());
  EXPECT_EQ(DiffSeries(by, {{{"a", "b"}, 1.0}}, {{{"a", "b"}, std::nan("")}}, 1e-3).size(), 1u);
}

TEST(GroundTruthQueries, KeysAnswersByTheAggregationLabels) {
  const std::vector<PromSample> samples = {{{{"site_uid", "s1"}, {"priority", "high"}}, 3},
                                           {{{"site_uid", "s2"}}, 1}};
  EXPECT_EQ(KeyedBy(samples, {"site_uid", "priority"}),
            (SeriesValues{{{"s1", "high"}, 3}, {{"s2", ""}, 1}}));
}

TEST(DashboardQueries, ReplaceTemplateVariablesAsTheLintAllowsThem) {
  EXPECT_EQ(
      SubstituteTemplateVariables(
          R"(sum(rate(x{job=~"$job", site=~"$site"}[$__rate_interval])) / y[$__rate_interval])",
          "30s"),
      R"(sum(rate(x{job=~".*", site=~".*"}[30s])) / y[30s])");
  // Other forms stay, so the test can report them.
  EXPECT_EQ(SubstituteTemplateVariables(R"(x{job="$job"})", "30s"), R"(x{job="$job"})");
  EXPECT_EQ(SubstituteTemplateVariables(R"(x{a=~"$1", b=~"${b}"})", "30s"),
            R"(x{a=~"$1", b=~"${b}"})");
}

TEST(DashboardQueries, FindTargetsInRowsAndLabelValuesVariables) {
  const json dashboard = json::parse(R"json({
    "panels": [
      {"id": 1, "title": "Up", "targets": [{"refId": "A", "expr": "up{job=~\"$job\"}"}]},
      {"id": 2, "type": "row", "title": "Row", "panels": [
        {"id": 3, "title": "Rate", "targets": [
          {"refId": "A", "expr": "rate(x[$__rate_interval])"}, {"refId": "B", "expr": ""}]}]}],
    "templating": {"list": [
      {"name": "datasource", "type": "datasource", "query": "prometheus"},
      {"name": "job", "type": "query", "query": {"query": "label_values(datto_rmm_up, job)"}},
      {"name": "site", "type": "query",
       "query": "label_values(datto_rmm_site_info{account=~\"$account\"}, site)"},
      {"name": "account", "type": "query",
       "query": "label_values(datto_rmm_up{job=~\"$job\", instance=~\"$instance\"}, account)"},
      {"name": "odd", "type": "query", "query": "query_result(up)"}]}})json");
  const auto panels = PanelQueries(dashboard, "d.json", "30s");
  ASSERT_EQ(panels.size(), 2u);
  EXPECT_EQ(panels[0].where, "d.json panel 1 (Up) A");
  EXPECT_EQ(panels[0].expr, R"(up{job=~".*"})");
  EXPECT_EQ(panels[1].where, "d.json panel 3 (Rate) A");
  EXPECT_EQ(panels[1].expr, "rate(x[30s])");
  const auto variables = VariableQueries(dashboard, "d.json");
  ASSERT_EQ(variables.size(), 4u);
  EXPECT_EQ(variables[0].expr, "datto_rmm_up");
  EXPECT_EQ(variables[0].label, "job");
  EXPECT_EQ(variables[1].expr, R"(datto_rmm_site_info{account=~".*"})");
  EXPECT_EQ(variables[1].label, "site");
  EXPECT_EQ(variables[2].expr, R"(datto_rmm_up{job=~".*", instance=~".*"})");
  EXPECT_EQ(variables[2].label, "account");
  EXPECT_EQ(variables[3].expr, "up");
  EXPECT_EQ(variables[3].label, "");
  EXPECT_TRUE(variables[3].query_result);
}

TEST(DashboardQueries, QueryResultTextAndVariableRegexAsGrafanaApplyThem) {
  const std::string text = GrafanaQueryResultText(
      {{"site", "Main \"B\" Office"}, {"site_uid", "a1-b2"}}, "1", 1700000000000);
  EXPECT_EQ(text, R"re({site="Main "B" Office",site_uid="a1-b2"} 1 1700000000000)re");
  const auto option =
      ApplyVariableRegex(R"re(/site="(?<text>.*)",site_uid="(?<value>[^"]*)"/)re", text);
  ASSERT_TRUE(option.has_value());
  EXPECT_EQ(option->text, R"(Main "B" Office)");
  EXPECT_EQ(option->value, "a1-b2");
  EXPECT_EQ(ApplyVariableRegex("/(?<value>[a-z]+)-/", "ab-cd")->text, "ab");
  EXPECT_FALSE(ApplyVariableRegex("/x(?<value>y)/", "zzz").has_value());
  EXPECT_FALSE(ApplyVariableRegex("no slashes", "zzz").has_value());
}

TEST(FillTemplate, ReplacesEveryPlaceholderAndRejectsUnknownOnes) {
  EXPECT_EQ(
      FillTemplate("url: ${url}\nkey: ${key} (${url})\n", {{"url", "http://x"}, {"key", "k"}}),
      "url: http://x\nkey: k (http://x)\n");
  EXPECT_EQ(FillTemplate("a: ${a}", {{"a", "${a}"}}), "a: ${a}");
  EXPECT_THROW(FillTemplate("a: ${b}", {{"a", "1"}}), std::out_of_range);
  EXPECT_THROW(FillTemplate("a: ${a", {{"a", "1"}}), std::out_of_range);
}

TEST(Gunzip, UndoesGzipAndRejectsAnythingElse) {
  const std::string text = "# HELP datto_rmm_up 1 when ...\n" + std::string(1000, 'x');
  z_stream stream{};
  ASSERT_EQ(deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string gzipped(deflateBound(&stream, text.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(gzipped.data());
  stream.avail_out = static_cast<uInt>(gzipped.size());
  ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  gzipped.resize(stream.total_out);
  deflateEnd(&stream);

  EXPECT_EQ(Gunzip(gzipped), text);
  EXPECT_EQ(Gunzip(gzipped.substr(0, gzipped.size() / 2)), std::nullopt);
  EXPECT_EQ(Gunzip(text), std::nullopt);
}

class SubprocessTest : public ::testing::Test {
 protected:
  SubprocessOptions Shell(const std::string& script, const std::string& name = "sh") {
    SubprocessOptions options;
    options.argv = {"/bin/sh", "-c", script};
    options.log_dir = dir_.path();
    options.name = name;
    return options;
  }
  TempDir dir_{"drmm-e2e-subprocess"};
};

TEST_F(SubprocessTest, ReportsExitCodeOutputAndEnvironment) {
  auto options = Shell("echo out-$E2E_VALUE; echo err >&2; exit 3");
  options.env = {{"E2E_VALUE", "42"}};
  const RunResult run = RunProgram(options, 10s);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_EQ(run.out, "out-42\n");
  EXPECT_EQ(run.err, "err\n");
}

TEST_F(SubprocessTest, ReadsStdinFromAFile) {
  WriteFile(dir_.path() / "input", "line one\n");
  auto options = Shell("cat");
  options.stdin_path = dir_.path() / "input";
  EXPECT_EQ(RunProgram(options, 10s).out, "line one\n");
}

TEST_F(SubprocessTest, SignalsWaitsAndKillsOnDestruction) {
  pid_t pid = 0;
  {
    Subprocess child(Shell("echo started; exec sleep 30"));
    pid = child.pid();
    EXPECT_EQ(child.FirstStdoutLine(10s), "started");
    EXPECT_TRUE(child.Running());
    EXPECT_EQ(child.WaitForExit(50ms), std::nullopt);
  }
  EXPECT_EQ(kill(pid, 0), -1) << "the child outlived its Subprocess";
  EXPECT_EQ(errno, ESRCH);

  Subprocess child(Shell("exec sleep 30"));
  child.Signal(SIGTERM);
  EXPECT_EQ(child.WaitForExit(10s), 128 + SIGTERM);
}

TEST_F(SubprocessTest, WaitsForStderrAndGivesUpWhenTheProcessEnds) {
  Subprocess child(Shell("echo one >&2; echo two >&2; exit 0"));
  EXPECT_TRUE(child.WaitForStderr({"one", "two"}, 10s));
  Subprocess quitter(Shell("exit 0", "quitter"));
  EXPECT_FALSE(quitter.WaitForStderr({"never"}, 10s));
  EXPECT_NE(quitter.StderrTail().find("quitter.stderr"), std::string::npos);
}

TEST_F(SubprocessTest, StopCleanlyWantsExitZeroOnSigtermAndNoSanitizerReport) {
  auto started = [&](const std::string& script) {
    static int count = 0;
    StartedProcess process;
    process.process = std::make_unique<Subprocess>(Shell(script, "sh" + std::to_string(++count)));
    EXPECT_EQ(process.process->FirstStdoutLine(10s), "ready");  // the trap is set
    return process;
  };
  const std::string loop = "echo ready; while :; do sleep 0.02; done";
  auto clean = started("trap 'exit 0' TERM; " + loop);
  EXPECT_EQ(StopCleanly(clean, 10s), "");
  auto failing = started("trap 'exit 3' TERM; " + loop);
  EXPECT_NE(StopCleanly(failing, 10s).find("exited with 3"), std::string::npos);
  auto racy = started(
      "echo 'WARNING: ThreadSanitizer: data race (pid=1)' >&2; trap 'exit 0' TERM; " + loop);
  EXPECT_NE(StopCleanly(racy, 10s).find("WARNING: ThreadSanitizer: data race"), std::string::npos);
}

TEST_F(SubprocessTest, ThrowsWhenTheProgramCannotRun) {
  SubprocessOptions options;
  options.argv = {(dir_.path() / "no-such-program").string()};
  options.log_dir = dir_.path();
  options.name = "missing";
  EXPECT_THROW(Subprocess{options}, std::runtime_error);
}

TEST(Programs, AMissingToolIsAFailureMessageNotASkip) {
  EXPECT_EQ(MissingTool("/bin/sh", "sh"), "");
  EXPECT_NE(MissingTool("", "prometheus").find("install Debian's 'prometheus' package"),
            std::string::npos);
  EXPECT_NE(MissingTool("/nonexistent/promtool", "promtool").find("/nonexistent/promtool"),
            std::string::npos);
  EXPECT_TRUE(std::filesystem::is_regular_file(ExporterBinary())) << ExporterBinary();
  EXPECT_TRUE(std::filesystem::is_regular_file(SimulatorBinary())) << SimulatorBinary();
  EXPECT_TRUE(std::filesystem::is_regular_file(RepoDir() / "config.example.yaml"));
}

TEST(TempDirTest, IsRemovedWithItsContent) {
  std::filesystem::path path;
  {
    TempDir dir("drmm-e2e-tempdir");
    path = dir.path();
    std::filesystem::create_directories(path / "a" / "b");
    WriteFile(path / "a" / "b" / "file", "x");
    EXPECT_TRUE(std::filesystem::exists(path / "a" / "b" / "file"));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace drmm::e2e
