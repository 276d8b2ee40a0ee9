// A real Prometheus scrapes the exporter, which polls datto-rmm-sim (all three as processes), and
// PromQL answers exactly what the simulator's ground truth says: every per-site family and the
// account-wide open alerts, for every site the exporter's default filter exports. Then the account
// changes (churn through the simulator's admin endpoint) and, once the exporter has polled again,
// PromQL follows. (tests/integration compares the exporter's families in-process; this is the
// same promise as a user sees it, through the exposition format, a scrape and the query API.)
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fill_template.h"
#include "ground_truth_queries.h"
#include "launch.h"
#include "poll_until.h"
#include "prometheus_api.h"
#include "shared_environment.h"
#include "sim_admin.h"
#include "subprocess.h"
#include "temp_dir.h"

namespace drmm::e2e {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kAccount = "main";

// The default site filter; every collector at the shortest interval the config allows.
constexpr const char* kExporterConfig = R"(accounts:
  - name: ${account}
    api_url: ${url}
    api_key: demo-key
    api_secret: demo-secret
    collectors:
      alerts: {interval: 10s}
      devices: {interval: 10s}
      sites: {interval: 10s}
      rate_status: {interval: 10s}
    device_metrics: {udf_labels: {udf1: contract}, udf_site_counts: [contract]}
)";

constexpr const char* kPrometheusConfig = R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: datto-rmm
    static_configs:
      - targets: ['127.0.0.1:${port}']
)";

struct GroundTruthEnvironment {
  TempDir dir{"drmm-e2e-ground-truth"};
  StartedProcess sim;
  StartedProcess exporter;
  StartedProcess prometheus;
  // Unix time after which the simulator's account has been as its ground truth says.
  double state_since = 0;
};

class PrometheusGroundTruth
    : public SharedEnvironmentTest<PrometheusGroundTruth, GroundTruthEnvironment> {
 protected:
  friend class SharedEnvironmentTest<PrometheusGroundTruth, GroundTruthEnvironment>;

  static std::vector<StartedProcess*> ProjectPrograms(GroundTruthEnvironment& env) {
    return {&env.exporter, &env.sim};
  }
  static std::vector<StartedProcess*> Programs(GroundTruthEnvironment& env) {
    return {&env.sim, &env.exporter, &env.prometheus};
  }

  static void Start(GroundTruthEnvironment& env) {
    // A realistic account, frozen: its figures change only when a test churns it. Open alerts
    // come 100 a page, so they paginate differently from sites and devices, as on Datto.
    env.sim = StartSimulator(env.dir.path(), "sim",
                             {"--sites=40", "--devices=3000", "--alerts=500", "--seed=42",
                              "--alerts-page-max=100", "--churn-per-minute=0"});
    env.state_since = UnixNow();
    const auto config = env.dir.path() / "exporter.yaml";
    WriteFile(config,
              FillTemplate(kExporterConfig, {{"account", kAccount}, {"url", env.sim.url()}}));
    env.exporter = StartExporter(env.dir.path(), "exporter", config);
    const auto prometheus_config = env.dir.path() / "prometheus.yml";
    WriteFile(prometheus_config,
              FillTemplate(kPrometheusConfig, {{"port", std::to_string(env.exporter.port)}}));
    env.prometheus = StartPrometheus(env.dir.path(), "prometheus", prometheus_config);
  }

  // Waits until Prometheus has scraped data of the sites, devices and alerts collectors from runs
  // that started after `since` (their last success minus their duration, for runs that
  // succeeded), so it reflects the account as it has been since then.
  static ::testing::AssertionResult WaitForRunsStartedAfter(double since) {
    const PrometheusApi prometheus(env().prometheus.port);
    const std::string selector = "{account=\"" + std::string(kAccount) + "\"}";
    const std::string started = "(datto_rmm_collector_last_success_timestamp_seconds" + selector +
                                " - datto_rmm_collector_duration_seconds" + selector +
                                ") and on (account, collector) "
                                "(datto_rmm_collector_success" +
                                selector + " == 1)";
    PromQueryResult last;
    const bool fresh = PollUntil(
        [&] {
          last = prometheus.Query(started);
          int fresh_collectors = 0;
          for (const auto& sample : last.samples) {
            const auto collector = sample.labels.find("collector");
            if (collector != sample.labels.end() && collector->second != "rate_status" &&
                sample.value > since) {
              ++fresh_collectors;
            }
          }
          return last.ok && fresh_collectors == 3;
        },
        90s, 200ms);
    if (fresh) return ::testing::AssertionSuccess();
    auto failure = ::testing::AssertionFailure()
                   << "no fresh sites, devices and alerts runs in Prometheus after " << since
                   << " (" << last.error << "):";
    for (const auto& sample : last.samples) {
      failure << "\n  " << FormatLabels(sample.labels) << " started " << sample.value;
    }
    return failure;
  }

  // Every query of GroundTruthQueries against Prometheus, every difference reported.
  static void ExpectPromQlEquals(const json& truth) {
    const PrometheusApi prometheus(env().prometheus.port);
    for (const TruthQuery& query : GroundTruthQueries(truth, kAccount)) {
      SCOPED_TRACE(query.promql);
      ASSERT_FALSE(query.expected.empty()) << "nothing to compare: the account is empty";
      const PromQueryResult answer = prometheus.Query(query.promql);
      ASSERT_TRUE(answer.ok) << answer.error;
      EXPECT_TRUE(answer.warnings.empty());
      const auto differences =
          DiffSeries(query.by, query.expected, KeyedBy(answer.samples, query.by), query.tolerance);
      std::string report;
      for (std::size_t i = 0; i < differences.size() && i < 40; ++i) {
        report += "\n  " + differences[i];
      }
      EXPECT_TRUE(differences.empty())
          << differences.size() << " of " << query.expected.size() << " series differ:" << report;
    }
  }
};

TEST_F(PrometheusGroundTruth, EveryPerSiteFigureEqualsTheGroundTruth) {
  const json truth = SimAdmin(env().sim.port).GroundTruth();
  // The comparison is only as good as the account: make sure it is the realistic one.
  ASSERT_EQ(truth.at("totals").at("devices"), 3000);
  ASSERT_EQ(truth.at("totals").at("open_alerts"), 500);
  std::string deleted_devices_uid;
  for (const auto& site : truth.at("sites")) {
    if (!ExportedByDefault(site)) deleted_devices_uid = site.at("uid");
  }
  ASSERT_FALSE(deleted_devices_uid.empty()) << "the account has no \"Deleted Devices\" site";

  ASSERT_TRUE(WaitForRunsStartedAfter(env().state_since));
  ExpectPromQlEquals(truth);
  // Left out by the default filter, in every family.
  const PromQueryResult deleted =
      PrometheusApi(env().prometheus.port).Query("{site_uid=\"" + deleted_devices_uid + "\"}");
  ASSERT_TRUE(deleted.ok) << deleted.error;
  EXPECT_TRUE(deleted.samples.empty()) << deleted.samples.size() << " series of Deleted Devices";
}

TEST_F(PrometheusGroundTruth, FiguresFollowTheAccountThroughChurn) {
  const SimAdmin admin(env().sim.port);
  const json before = admin.GroundTruth();
  admin.Churn(300);  // devices go on- and offline, alerts open and resolve, sites come and go
  env().state_since = UnixNow();
  const json after = admin.GroundTruth();
  ASSERT_NE(before.at("sites"), after.at("sites")) << "churn changed nothing";
  ASSERT_TRUE(WaitForRunsStartedAfter(env().state_since));
  ExpectPromQlEquals(after);
}

}  // namespace
}  // namespace drmm::e2e
