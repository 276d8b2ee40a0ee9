// The shipped rules and dashboards against a real Prometheus that scrapes a real exporter every
// second and evaluates rules/datto-rmm-alerts.yml, rules/optional/datto-rmm-site-alerts.yml and
// rules/datto-rmm-recording.yml every second. Every rule loads and stays healthy; every recording
// rule, every alert, every query of the Grafana-managed rules file
// (dashboards/provisioning/alerting/) and every dashboard query (template variables replaced)
// evaluates without error and returns series; the fleet alerts' descriptions list their sites.
//
// Most alerts return series only when something is wrong, so the environment is built wrong on
// purpose, one account (and one simulator) per kind of trouble:
//   fleet        healthy, realistic; offline servers, patch install errors, pending reboots,
//                stopped antivirus and old critical alerts; per-device metrics (cut at 600);
//                a 429 and undecodable answers injected once Prometheus has seen its counters
//   busy         other integrations take most of the account's budget (scaled 2 s window), a
//                60 s token lifetime (always "expiring"), most devices offline
//   blocked      the API answers 403 (an IP block) from the first request
//   tight        a budget of 1 request per minute for four collectors every 10 s
//   wrongsecret  the token endpoint answers 401
// plus a second target of the exporter's job on a port nobody listens on. Two alerts are about time
// itself and are evaluated at another time instead: DattoRmmExporterMissing before Prometheus's
// first scrape (when no datto target existed yet), and DattoRmmDataStale 16 minutes from now:
// Prometheus runs with a 20-minute lookback, so it still sees the current samples then, as it would
// see a collector that stopped succeeding now.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dashboard_queries.h"
#include "fill_template.h"
#include "free_port.h"
#include "launch.h"
#include "poll_until.h"
#include "programs.h"
#include "prometheus_api.h"
#include "shared_environment.h"
#include "sim_admin.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace drmm::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
using Labels = std::vector<std::pair<std::string, std::string>>;

// How long the tests wait for every expression to return series: the slowest is an injected
// fault reaching the exporter's next poll (10 s intervals) and Prometheus's next scrape.
constexpr auto kEventually = 90s;
// Stands in for Grafana's $__rate_interval: 30 scrapes at 1 s, three polls at 10 s.
constexpr const char* kRateRange = "30s";
constexpr const char* kRequestRatePath = "/api/v2/system/request_rate";
// DattoRmmDataStale's threshold is 900 s; Prometheus runs with a lookback above this.
constexpr double kStaleEvaluationOffset = 960;

// One account per kind of trouble (see the top of this file); collectors every 10 s.
constexpr const char* kExporterConfig = R"(defaults:
  collectors:
    alerts: {interval: 10s}
    devices: {interval: 10s}
    sites: {interval: 10s}
    rate_status: {interval: 10s}
accounts:
  - name: fleet
    api_url: ${fleet}
    api_key: demo-key
    api_secret: demo-secret
    device_metrics: {enabled: true, max_devices: 600}
  - name: busy
    api_url: ${busy}
    api_key: demo-key
    api_secret: demo-secret
  - name: blocked
    api_url: ${blocked}
    api_key: demo-key
    api_secret: demo-secret
  - name: tight
    api_url: ${tight}
    api_key: demo-key
    api_secret: demo-secret
    rate_limit: {requests_per_minute: 1}
  - name: wrongsecret
    api_url: ${wrongsecret}
    api_key: demo-key
    api_secret: not-the-secret
)";

// The exporter's job (the rules select job="datto-rmm") with a second target nobody listens on,
// and another Datto product's job whose target is down too: the rules must ignore it.
constexpr const char* kPrometheusConfig = R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - ${rules}/datto-rmm-alerts.yml
  - ${rules}/optional/datto-rmm-site-alerts.yml
  - ${rules}/datto-rmm-recording.yml
scrape_configs:
  - job_name: datto-rmm
    static_configs:
      - targets: ['127.0.0.1:${exporter}', '127.0.0.1:${dead}']
  - job_name: datto-bcdr
    static_configs:
      - targets: ['127.0.0.1:${dead}']
)";
constexpr const char* kGrafanaRulesFile = "dashboards/provisioning/alerting/datto-rmm-alerts.yaml";

enum class EvaluateAt { kNow, kBeforeFirstScrape, kSixteenMinutesLater };

struct AlertCase {
  std::string alert;
  std::string why;  // what in the environment makes the expression return series
  EvaluateAt at = EvaluateAt::kNow;
  Labels must_include;  // each label value must be on one of the series
  Labels must_exclude;  // no series may carry these (healthy accounts must not trip the alert)
};

const std::vector<AlertCase>& AlertCases() {
  static const std::vector<AlertCase> cases = [] {
    std::vector<AlertCase> list = {
        {"DattoRmmExporterDown",
         "a second target of the job on a dead port",
         EvaluateAt::kNow,
         {{"job", "datto-rmm"}},
         {{"job", "datto-bcdr"}}},
        {"DattoRmmExporterMissing",
         "evaluated before the first scrape",
         EvaluateAt::kBeforeFirstScrape,
         {},
         {}},
        {"DattoRmmAccountDown",
         "401 and 403 accounts",
         EvaluateAt::kNow,
         {{"account", "wrongsecret"}, {"account", "blocked"}},
         {{"account", "fleet"}, {"account", "busy"}}},
        {"DattoRmmCollectorFailing",
         "the 401 account's collectors fail",
         EvaluateAt::kNow,
         {{"account", "wrongsecret"}},
         {{"account", "busy"}}},
        {"DattoRmmCollectorStuck",
         "tight's collectors wait for a budget of 1 a minute, evaluated 16 minutes later",
         EvaluateAt::kSixteenMinutesLater,
         {{"account", "tight"}},
         {}},
        {"DattoRmmDataStale",
         "evaluated 16 minutes after the last success",
         EvaluateAt::kSixteenMinutesLater,
         {{"account", "fleet"}},
         {}},
        {"DattoRmmDecodeErrors",
         "one malformed JSON answer, with the counter created at 0",
         EvaluateAt::kNow,
         {{"account", "fleet"}},
         {{"account", "busy"}}},
        {"DattoRmmAccountRateLimitNear",
         "other consumers take 500 of 600",
         EvaluateAt::kNow,
         {{"account", "busy"}},
         {{"account", "fleet"}}},
        {"DattoRmmPollBudgetExceeded",
         "1 request per minute for 24 planned",
         EvaluateAt::kNow,
         {{"account", "tight"}},
         {{"account", "fleet"}, {"account", "busy"}}},
        {"DattoRmmRateLimited",
         "a 429 injected",
         EvaluateAt::kNow,
         {{"account", "fleet"}},
         {{"account", "busy"}}},
        {"DattoRmmApiBlocked",
         "a 403 block from the start",
         EvaluateAt::kNow,
         {{"account", "blocked"}},
         {{"account", "fleet"}}},
        {"DattoRmmAuthTokenExpiring",
         "60 s token lifetime",
         EvaluateAt::kNow,
         {{"account", "busy"}},
         {{"account", "fleet"}}},
    };
    // The fleet alerts (one series per account) and their per-site versions (one per site).
    const std::vector<std::pair<std::string, std::string>> fleet = {
        {"ServersOffline", "offline servers (seed 6)"},
        {"CriticalAlertsOpen", "unmuted critical alerts opened days ago"},
        {"AntivirusProblems", "antivirus not running or not detected"},
        {"PatchInstallErrors", "install errors"},
        {"RebootRequiredTooLong", "reboots pending"},
        {"StaleAgents", "devices not seen for 30 days"},
    };
    for (const auto& [name, why] : fleet) {
      list.push_back({"DattoRmm" + name, why, EvaluateAt::kNow, {{"account", "fleet"}}, {}});
      list.push_back({"DattoRmmSite" + name, why, EvaluateAt::kNow, {{"account", "fleet"}}, {}});
    }
    list.push_back({"DattoRmmSitesMostlyOffline",
                    "online ratio 0.2",
                    EvaluateAt::kNow,
                    {{"account", "busy"}},
                    {}});
    list.push_back({"DattoRmmSiteDevicesOfflineHigh",
                    "online ratio 0.2",
                    EvaluateAt::kNow,
                    {{"account", "busy"}},
                    {}});
    return list;
  }();
  return cases;
}

const AlertCase& CaseOf(const std::string& alert) {
  for (const AlertCase& c : AlertCases()) {
    if (c.alert == alert) return c;
  }
  throw std::runtime_error("no AlertCase for " + alert);
}

bool Carries(const std::vector<PromSample>& samples, const std::pair<std::string, std::string>& l) {
  return std::any_of(samples.begin(), samples.end(), [&](const PromSample& sample) {
    const auto it = sample.labels.find(l.first);
    return it != sample.labels.end() && it->second == l.second;
  });
}

std::string Describe(const PromQueryResult& result) {
  if (!result.ok) return "error: " + result.error;
  std::string out = std::to_string(result.samples.size()) + " series";
  for (std::size_t i = 0; i < result.samples.size() && i < 10; ++i) {
    out += "\n    " + FormatLabels(result.samples[i].labels) + " " +
           std::to_string(result.samples[i].value);
  }
  return out;
}

struct Rule {
  std::string name;
  std::string type;  // "alerting" or "recording"
  std::string query;
  double duration = 0;  // an alert's `for`, in seconds
  std::string health;
  std::string last_error;
  std::string last_evaluation;
};

std::vector<Rule> RulesOf(const json& data) {
  std::vector<Rule> rules;
  for (const auto& group : data.value("groups", json::array())) {
    for (const auto& rule : group.value("rules", json::array())) {
      rules.push_back({rule.value("name", ""), rule.value("type", ""), rule.value("query", ""),
                       rule.value("duration", 0.0), rule.value("health", ""),
                       rule.value("lastError", ""), rule.value("lastEvaluation", "")});
    }
  }
  return rules;
}

// The rule names the repository's files define, alerts and recordings apart.
std::set<std::string> RuleNamesInFile(const std::string& file, const char* key) {
  std::set<std::string> names;
  const YAML::Node root = YAML::LoadFile((RepoDir() / "rules" / file).string());
  for (const auto& group : root["groups"]) {
    for (const auto& rule : group["rules"]) {
      if (rule[key]) names.insert(rule[key].as<std::string>());
    }
  }
  return names;
}

std::set<std::string> AllAlertNames() {
  std::set<std::string> names = RuleNamesInFile("datto-rmm-alerts.yml", "alert");
  names.merge(RuleNamesInFile("optional/datto-rmm-site-alerts.yml", "alert"));
  return names;
}

// The Grafana-managed rules: title and the PromQL of each Prometheus query.
std::vector<std::pair<std::string, std::string>> GrafanaRuleQueries() {
  std::vector<std::pair<std::string, std::string>> queries;
  const YAML::Node root = YAML::LoadFile((RepoDir() / kGrafanaRulesFile).string());
  for (const auto& group : root["groups"]) {
    for (const auto& rule : group["rules"]) {
      for (const auto& query : rule["data"]) {
        if (query["datasourceUid"].as<std::string>() == "__expr__") continue;
        queries.emplace_back(rule["title"].as<std::string>(),
                             query["model"]["expr"].as<std::string>());
      }
    }
  }
  return queries;
}

struct RulesEnvironment {
  TempDir dir{"drmm-e2e-rules"};
  std::map<std::string, StartedProcess> sims;  // by account
  StartedProcess exporter;
  StartedProcess prometheus;
  double before_first_scrape = 0;
};

class RulesAndDashboards : public SharedEnvironmentTest<RulesAndDashboards, RulesEnvironment> {
 protected:
  friend class SharedEnvironmentTest<RulesAndDashboards, RulesEnvironment>;

  static std::vector<StartedProcess*> ProjectPrograms(RulesEnvironment& env) {
    std::vector<StartedProcess*> programs = {&env.exporter};
    for (auto& [account, sim] : env.sims) programs.push_back(&sim);
    return programs;
  }
  static std::vector<StartedProcess*> Programs(RulesEnvironment& env) {
    std::vector<StartedProcess*> programs = ProjectPrograms(env);
    programs.push_back(&env.prometheus);
    return programs;
  }

  static void Start(RulesEnvironment& env) {
    const std::vector<std::string> frozen = {"--churn-per-minute=0"};
    auto sim = [&](const std::string& account, std::vector<std::string> flags) {
      flags.insert(flags.end(), frozen.begin(), frozen.end());
      env.sims[account] = StartSimulator(env.dir.path(), "sim-" + account, flags);
    };
    sim("fleet", {"--sites=25", "--devices=800", "--alerts=250", "--seed=6"});
    sim("busy", {"--sites=6", "--devices=150", "--alerts=30", "--seed=9", "--online-ratio=0.2",
                 "--rate-window=2s", "--other-consumers-rpm=500", "--token-lifetime=60s"});
    sim("blocked", {"--sites=3", "--devices=20", "--alerts=2", "--fault=block:duration=1h"});
    sim("tight", {"--sites=3", "--devices=20", "--alerts=2"});
    sim("wrongsecret", {"--sites=3", "--devices=20", "--alerts=2"});

    const auto config = env.dir.path() / "exporter.yaml";
    WriteFile(config,
              FillTemplate(kExporterConfig, {{"fleet", env.sims.at("fleet").url()},
                                             {"busy", env.sims.at("busy").url()},
                                             {"blocked", env.sims.at("blocked").url()},
                                             {"tight", env.sims.at("tight").url()},
                                             {"wrongsecret", env.sims.at("wrongsecret").url()}}));
    env.exporter = StartExporter(env.dir.path(), "exporter", config);

    const int dead_port = PickFreePort();  // nobody listens there
    const auto prometheus_config = env.dir.path() / "prometheus.yml";
    WriteFile(prometheus_config,
              FillTemplate(kPrometheusConfig, {{"rules", (RepoDir() / "rules").string()},
                                               {"exporter", std::to_string(env.exporter.port)},
                                               {"dead", std::to_string(dead_port)}}));
    env.before_first_scrape = UnixNow();
    env.prometheus = StartPrometheus(env.dir.path(), "prometheus", prometheus_config,
                                     {"--query.lookback-delta=20m"});

    // Once Prometheus has seen the fleet's error counters at 0 (the exporter creates them at 0,
    // so the first error is an increase), the fleet's next rate status call gets a 429 and then
    // one undecodable answer (and then succeeds).
    const PrometheusApi prometheus(env.prometheus.port);
    const bool counters_seen = PollUntil(
        [&] {
          return !prometheus
                      .Query(
                          "datto_rmm_decode_errors_total{account=\"fleet\","
                          "endpoint=\"/api/v2/system/request_rate\"} == 0")
                      .samples.empty() &&
                 !prometheus.Query("datto_rmm_api_rate_limited_total{account=\"fleet\"} == 0")
                      .samples.empty();
        },
        kEventually, 200ms);
    if (!counters_seen) {
      throw std::runtime_error(
          "Prometheus never showed the fleet's decode error and 429 counters at 0\n" +
          env.exporter.process->StderrTail());
    }
    SimAdmin(env.sims.at("fleet").port)
        .InjectFaults(
            json::array({{{"kind", "rate_limit"}, {"retry_after", 1}, {"path", kRequestRatePath}},
                         {{"kind", "malformed_json"}, {"path", kRequestRatePath}}}));
  }

  static PrometheusApi Prometheus() { return PrometheusApi(env().prometheus.port); }

  static std::vector<Rule> LoadedRules() {
    const auto data = Prometheus().GetData("/api/v1/rules");
    return data ? RulesOf(*data) : std::vector<Rule>{};
  }

  static double TimeOf(EvaluateAt at) {
    switch (at) {
      case EvaluateAt::kNow:
        return UnixNow();
      case EvaluateAt::kBeforeFirstScrape:
        return env().before_first_scrape;
      case EvaluateAt::kSixteenMinutesLater:
        return UnixNow() + kStaleEvaluationOffset;
    }
    return UnixNow();
  }

  // Runs every query until each has returned series (or the deadline passes); the last answers.
  static std::vector<PromQueryResult> EvaluateUntilAllReturnSeries(
      const std::vector<std::string>& queries, const std::vector<EvaluateAt>& when,
      const std::vector<Labels>& must_include) {
    std::vector<PromQueryResult> results(queries.size());
    std::vector<bool> done(queries.size(), false);
    PollUntil(
        [&] {
          bool all = true;
          for (std::size_t i = 0; i < queries.size(); ++i) {
            if (done[i]) continue;
            results[i] = Prometheus().Query(queries[i], TimeOf(when[i]));
            done[i] = results[i].ok && !results[i].samples.empty();
            for (const auto& label : must_include[i]) {
              done[i] = done[i] && Carries(results[i].samples, label);
            }
            all = all && done[i];
          }
          return all;
        },
        kEventually, 500ms);
    return results;
  }
};

TEST_F(RulesAndDashboards, TheEnvironmentHasWhatTheFleetAlertsLookFor) {
  // If these fail, the simulator's generator changed, not the rules: pick another seed.
  const json fleet = SimAdmin(env().sims.at("fleet").port).GroundTruth();
  const double hour_ago = UnixNow() - 3600;
  bool server_offline = false;
  bool install_error = false;
  bool reboot = false;
  bool antivirus = false;
  bool old_critical = false;
  bool stale = false;
  for (const auto& site : fleet.at("sites")) {
    if (site.at("deleted_devices_site").get<bool>()) continue;
    server_offline |= site.at("devices_offline_by_category").value("Server", 0) > 0;
    install_error |= site.at("patch_status").at("install_error").get<int>() > 0;
    reboot |= site.at("reboot_required").get<int>() > 0;
    antivirus |= site.at("antivirus_status").at("not_running").get<int>() > 0;
    stale |= site.at("devices_not_seen").at("30d").get<int>() > 0;
    const auto& oldest = site.at("oldest_open_alert_timestamp_seconds").at("false");
    old_critical |= oldest.contains("critical") && oldest.at("critical").get<double>() < hour_ago;
  }
  EXPECT_TRUE(server_offline);
  EXPECT_TRUE(install_error);
  EXPECT_TRUE(reboot);
  EXPECT_TRUE(antivirus);
  EXPECT_TRUE(old_critical);
  EXPECT_TRUE(stale);

  const json busy = SimAdmin(env().sims.at("busy").port).GroundTruth();
  bool mostly_offline = false;
  for (const auto& site : busy.at("sites")) {
    if (site.at("deleted_devices_site").get<bool>()) continue;
    int offline = 0;
    for (const auto& [category, count] : site.at("devices_offline_by_category").items()) {
      offline += count.get<int>();
    }
    const int total = site.at("devices_total").get<int>();
    mostly_offline |= total >= 10 && 2 * offline > total;
  }
  EXPECT_TRUE(mostly_offline) << "no site with 10 or more devices, most of them offline";
}

TEST_F(RulesAndDashboards, EveryRuleLoadsAndEvaluatesHealthy) {
  const auto alerts = AllAlertNames();
  const auto records = RuleNamesInFile("datto-rmm-recording.yml", "record");
  ASSERT_FALSE(alerts.empty());
  ASSERT_FALSE(records.empty());
  std::vector<Rule> rules;
  const bool evaluated = PollUntil(
      [&] {
        rules = LoadedRules();
        return !rules.empty() && std::all_of(rules.begin(), rules.end(), [](const Rule& rule) {
          return !rule.last_evaluation.starts_with("0001-");  // Go's zero time: never evaluated
        });
      },
      kEventually, 200ms);
  ASSERT_TRUE(evaluated) << rules.size() << " rules loaded, not all evaluated";
  std::set<std::string> loaded_alerts;
  std::set<std::string> loaded_records;
  for (const Rule& rule : rules) {
    (rule.type == "alerting" ? loaded_alerts : loaded_records).insert(rule.name);
    EXPECT_EQ(rule.health, "ok") << rule.name << ": " << rule.last_error;
    EXPECT_EQ(rule.last_error, "") << rule.name;
  }
  EXPECT_EQ(loaded_alerts, alerts);
  EXPECT_EQ(loaded_records, records);
}

TEST_F(RulesAndDashboards, EveryRecordingRuleReturnsSeries) {
  std::vector<Rule> recordings;
  for (const Rule& rule : LoadedRules()) {
    if (rule.type == "recording") recordings.push_back(rule);
  }
  ASSERT_EQ(recordings.size(), RuleNamesInFile("datto-rmm-recording.yml", "record").size());
  std::vector<std::string> queries;
  for (const Rule& rule : recordings) {
    queries.push_back(rule.query);
    queries.push_back(rule.name);  // what Prometheus recorded from it
  }
  const auto results = EvaluateUntilAllReturnSeries(
      queries, std::vector<EvaluateAt>(queries.size(), EvaluateAt::kNow),
      std::vector<Labels>(queries.size()));
  for (std::size_t i = 0; i < queries.size(); ++i) {
    SCOPED_TRACE(recordings[i / 2].name);
    EXPECT_TRUE(results[i].ok && results[i].warnings.empty()) << Describe(results[i]);
    EXPECT_FALSE(results[i].samples.empty()) << queries[i];
  }
}

TEST_F(RulesAndDashboards, EveryAlertExpressionReturnsSeriesInTheBrokenEnvironment) {
  std::map<std::string, Rule> loaded;
  for (const Rule& rule : LoadedRules()) {
    if (rule.type == "alerting") loaded[rule.name] = rule;
  }
  std::set<std::string> covered;
  for (const AlertCase& c : AlertCases()) covered.insert(c.alert);
  std::set<std::string> names;
  for (const auto& [name, rule] : loaded) names.insert(name);
  ASSERT_EQ(names, covered) << "every alert needs an AlertCase saying how the test trips it";

  std::vector<std::string> queries;
  std::vector<EvaluateAt> when;
  std::vector<Labels> must_include;
  for (const AlertCase& c : AlertCases()) {
    queries.push_back(loaded.at(c.alert).query);
    when.push_back(c.at);
    must_include.push_back(c.must_include);
  }
  const auto results = EvaluateUntilAllReturnSeries(queries, when, must_include);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const AlertCase& c = AlertCases()[i];
    SCOPED_TRACE(c.alert + " (" + c.why + "): " + queries[i]);
    ASSERT_TRUE(results[i].ok) << results[i].error;
    EXPECT_TRUE(results[i].warnings.empty());
    EXPECT_FALSE(results[i].samples.empty());
    for (const auto& label : c.must_include) {
      EXPECT_TRUE(Carries(results[i].samples, label))
          << "no series with " << label.first << "=" << label.second << "; "
          << Describe(results[i]);
    }
    for (const auto& label : c.must_exclude) {
      EXPECT_FALSE(Carries(results[i].samples, label))
          << "a series with " << label.first << "=" << label.second << "; " << Describe(results[i]);
    }
  }
  // The other Datto product's job is down too, and nothing says so: the selector is exact.
  const PromQueryResult down = Prometheus().Query(loaded.at("DattoRmmExporterDown").query);
  ASSERT_TRUE(down.ok) << down.error;
  EXPECT_FALSE(Carries(down.samples, {"job", "datto-bcdr"})) << Describe(down);
  // And the time-shifted ones do not return series now, with the exporter scraped.
  const PromQueryResult missing_now =
      Prometheus().Query(loaded.at("DattoRmmExporterMissing").query);
  ASSERT_TRUE(missing_now.ok) << missing_now.error;
  EXPECT_TRUE(missing_now.samples.empty()) << Describe(missing_now);
}

TEST_F(RulesAndDashboards, AlertsWhoseExpressionReturnsSeriesArePendingOrFiring) {
  std::map<std::string, double> for_seconds;
  for (const Rule& rule : LoadedRules()) {
    if (rule.type == "alerting") for_seconds[rule.name] = rule.duration;
  }
  std::map<std::string, std::string> state;  // by alert name, the "most advanced" state seen
  const auto expected = [&](const AlertCase& c) {
    return for_seconds.at(c.alert) == 0 ? std::set<std::string>{"firing"}
                                        : std::set<std::string>{"pending", "firing"};
  };
  const bool all = PollUntil(
      [&] {
        const auto data = Prometheus().GetData("/api/v1/alerts");
        if (!data) return false;
        state.clear();
        for (const auto& alert : data->value("alerts", json::array())) {
          const std::string name = alert.value("labels", json::object()).value("alertname", "");
          const std::string s = alert.value("state", "");
          if (state[name] != "firing") state[name] = s;
        }
        for (const AlertCase& c : AlertCases()) {
          if (c.at != EvaluateAt::kNow) continue;
          if (!expected(c).contains(state[c.alert])) return false;
        }
        return true;
      },
      kEventually, 500ms);
  for (const AlertCase& c : AlertCases()) {
    if (c.at != EvaluateAt::kNow) continue;
    EXPECT_TRUE(expected(c).contains(state[c.alert]))
        << c.alert << " is \"" << state[c.alert] << "\"";
  }
  EXPECT_TRUE(all);
}

TEST_F(RulesAndDashboards, EveryGrafanaManagedRuleQueryReturnsSeriesInTheBrokenEnvironment) {
  const auto rules = GrafanaRuleQueries();
  std::set<std::string> titles;
  for (const auto& [title, expr] : rules) titles.insert(title);
  EXPECT_EQ(titles, RuleNamesInFile("datto-rmm-alerts.yml", "alert"))
      << "the Grafana-managed rules are the default alert set";
  std::vector<std::string> queries;
  std::vector<EvaluateAt> when;
  std::vector<Labels> must_include;
  for (const auto& [title, expr] : rules) {
    queries.push_back(expr);
    when.push_back(CaseOf(title).at);
    must_include.push_back(CaseOf(title).must_include);
  }
  const auto results = EvaluateUntilAllReturnSeries(queries, when, must_include);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    SCOPED_TRACE(rules[i].first + ": " + rules[i].second);
    ASSERT_TRUE(results[i].ok) << results[i].error;
    EXPECT_TRUE(results[i].warnings.empty());
    EXPECT_FALSE(results[i].samples.empty()) << "Grafana would see no data: the rule stays OK";
    for (const auto& label : CaseOf(rules[i].first).must_exclude) {
      EXPECT_FALSE(Carries(results[i].samples, label)) << Describe(results[i]);
    }
  }
}

TEST_F(RulesAndDashboards, FleetAlertsCountAndListTheirSites) {
  // The fleet account's sites, by name, as the exporter labels them.
  std::set<std::string> sites;
  for (const PromSample& sample :
       Prometheus().Query(R"(datto_rmm_site_info{account="fleet"})").samples) {
    sites.insert(sample.labels.at("site"));
  }
  ASSERT_FALSE(sites.empty());
  const std::set<std::string> fleet_alerts = {
      "DattoRmmServersOffline", "DattoRmmCriticalAlertsOpen", "DattoRmmAntivirusProblems"};
  std::map<std::string, std::string> descriptions;
  PollUntil(
      [&] {
        const auto data = Prometheus().GetData("/api/v1/alerts");
        if (!data) return false;
        for (const auto& alert : data->value("alerts", json::array())) {
          const json labels = alert.value("labels", json::object());
          if (labels.value("account", "") != "fleet") continue;
          const std::string name = labels.value("alertname", "");
          if (fleet_alerts.contains(name)) {
            descriptions[name] =
                alert.value("annotations", json::object()).value("description", "");
          }
        }
        return descriptions.size() == fleet_alerts.size();
      },
      kEventually, 500ms);
  for (const std::string& name : fleet_alerts) {
    SCOPED_TRACE(name);
    const std::string& description = descriptions[name];
    static constexpr std::string_view kList = "Sites (the 10 most affected): ";
    const std::size_t list = description.find(kList);
    ASSERT_NE(list, std::string::npos) << description;
    // The first listed site is one of the account's, followed by its value in parentheses.
    const std::string first = description.substr(list + kList.size());
    const std::size_t paren = first.find(" (");
    ASSERT_NE(paren, std::string::npos) << description;
    EXPECT_TRUE(sites.contains(first.substr(0, paren))) << description;
    // "<n> site(s) of account fleet": the count leads.
    EXPECT_GE(std::stoi(description), 1) << description;
  }
}

TEST_F(RulesAndDashboards, EveryDashboardQueryReturnsSeries) {
  std::vector<DashboardQuery> items;
  for (const char* file :
       {"datto-rmm-overview.json", "datto-rmm-site.json", "datto-rmm-exporter.json"}) {
    const json dashboard = json::parse(ReadFile(RepoDir() / "dashboards" / file));
    auto panels = PanelQueries(dashboard, file, kRateRange);
    auto variables = VariableQueries(dashboard, file);
    ASSERT_FALSE(panels.empty()) << file;
    ASSERT_FALSE(variables.empty()) << file;
    items.insert(items.end(), panels.begin(), panels.end());
    items.insert(items.end(), variables.begin(), variables.end());
  }
  std::vector<std::string> queries;
  std::vector<Labels> must_include;
  for (const auto& item : items) {
    ASSERT_EQ(item.expr.find('$'), std::string::npos)
        << item.where << ": a template variable in a form the test cannot replace: " << item.expr;
    queries.push_back(item.expr);
    must_include.emplace_back();
  }
  const auto results = EvaluateUntilAllReturnSeries(
      queries, std::vector<EvaluateAt>(queries.size(), EvaluateAt::kNow), must_include);
  for (std::size_t i = 0; i < items.size(); ++i) {
    SCOPED_TRACE(items[i].where + ": " + items[i].expr);
    ASSERT_TRUE(results[i].ok) << results[i].error;
    EXPECT_TRUE(results[i].warnings.empty());
    EXPECT_FALSE(results[i].samples.empty()) << "no series: the panel would show no data";
    if (items[i].query_result) {
      // Every row shows its site's name and selects its site_uid, as Grafana applies the regex.
      for (const PromSample& sample : results[i].samples) {
        const std::string text = GrafanaQueryResultText(sample.labels, "1", 0);
        const auto option = ApplyVariableRegex(items[i].regex, text);
        ASSERT_TRUE(option.has_value()) << items[i].regex << " does not match " << text;
        EXPECT_EQ(option->text, sample.labels.at("site")) << text;
        EXPECT_EQ(option->value, sample.labels.at("site_uid")) << text;
      }
    }
    if (!items[i].label.empty()) {
      // label_values(<selector>, <label>): the variable offers the label's values.
      const bool offers = std::any_of(results[i].samples.begin(), results[i].samples.end(),
                                      [&](const PromSample& sample) {
                                        const auto it = sample.labels.find(items[i].label);
                                        return it != sample.labels.end() && !it->second.empty();
                                      });
      EXPECT_TRUE(offers) << "no series carries " << items[i].label;
    }
  }
}

}  // namespace
}  // namespace drmm::e2e
