#include "exporter/metrics/self_metrics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "exporter/catalog/catalog.h"
#include "prometheus/check_names.h"
#include "prometheus/registry.h"
#include "support/metric_query.h"

namespace drmm {
namespace {

using testing::LabelMap;
using testing::ValueOf;

const prometheus::ClientMetric* Histogram(const std::vector<prometheus::MetricFamily>& families,
                                          const LabelMap& labels) {
  for (const auto* metric :
       testing::Select(families, "datto_rmm_api_request_duration_seconds", labels)) {
    if (testing::LabelsOf(*metric) == labels) return metric;
  }
  return nullptr;
}

TEST(SelfMetricsTest, BuildInfoIsOne) {
  SelfMetrics metrics("1.2.3", "abc123");
  const auto families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "datto_rmm_exporter_build_info",
                    {{"version", "1.2.3"}, {"revision", "abc123"}}),
            1);
}

TEST(SelfMetricsTest, ConfigReloadsKeepTheLastSuccessTime) {
  SelfMetrics metrics("v", "r");
  metrics.OnConfigLoad(true, 1000);
  auto families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "datto_rmm_config_last_reload_successful", {}), 1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_config_last_reload_success_timestamp_seconds", {}), 1000);
  metrics.OnConfigLoad(false, 2000);
  families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "datto_rmm_config_last_reload_successful", {}), 0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_config_last_reload_success_timestamp_seconds", {}), 1000);
  metrics.OnConfigLoad(true, 3000);
  families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "datto_rmm_config_last_reload_successful", {}), 1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_config_last_reload_success_timestamp_seconds", {}), 3000);
}

TEST(SelfMetricsTest, ScrapesAreCountedByCodeAndInFlightAsPromhttpDoes) {
  SelfMetrics metrics("v", "r");
  auto families = metrics.registry()->Collect();
  for (const char* code : {"200", "500", "503"}) {
    EXPECT_EQ(ValueOf(families, "promhttp_metric_handler_requests_total", {{"code", code}}), 0)
        << code;
  }
  metrics.OnScrapeStarted();
  metrics.OnScrapeStarted();
  families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "promhttp_metric_handler_requests_in_flight", {}), 2);
  metrics.OnScrapeFinished(200);
  metrics.OnScrapeFinished(503);
  metrics.OnScrapeStarted();
  metrics.OnScrapeFinished(200);
  families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "promhttp_metric_handler_requests_in_flight", {}), 0);
  EXPECT_EQ(ValueOf(families, "promhttp_metric_handler_requests_total", {{"code", "200"}}), 2);
  EXPECT_EQ(ValueOf(families, "promhttp_metric_handler_requests_total", {{"code", "503"}}), 1);
}

TEST(SelfMetricsTest, KnownLabelValuesArePreCreatedAtZero) {
  SelfMetrics metrics("v", "r");
  metrics.ObserverFor("acme");
  const auto families = metrics.registry()->Collect();
  for (const auto reason :
       {"transport", "server_error", "unauthorized", "decode", "rate_limited"}) {
    EXPECT_EQ(
        ValueOf(families, "datto_rmm_api_retries_total", {{"account", "acme"}, {"reason", reason}}),
        0)
        << reason;
  }
  for (const auto field : {"patchStatus", "antivirusStatus", "priority", "deviceClass"}) {
    EXPECT_EQ(ValueOf(families, "datto_rmm_unknown_enum_values_total",
                      {{"account", "acme"}, {"field", field}}),
              0)
        << field;
  }
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_throttle_wait_seconds_total", {{"account", "acme"}}),
            0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_rate_limited_total", {{"account", "acme"}}), 0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_blocked", {{"account", "acme"}}), 0);
  // Present at 0 before anything goes wrong, so that increase() sees the first error.
  for (const auto endpoint : {"/auth/oauth/token", "/api/v2/account", "/api/v2/account/sites",
                              "/api/v2/account/devices", "/api/v2/account/alerts/open",
                              "/api/v2/system/request_rate", "/api/v2/system/pagination"}) {
    EXPECT_EQ(ValueOf(families, "datto_rmm_decode_errors_total",
                      {{"account", "acme"}, {"endpoint", endpoint}}),
              0)
        << endpoint;
    EXPECT_EQ(ValueOf(families, "datto_rmm_decode_warnings_total",
                      {{"account", "acme"}, {"endpoint", endpoint}}),
              0)
        << endpoint;
  }
}

TEST(SelfMetricsTest, ObserverIsStablePerAccount) {
  SelfMetrics metrics("v", "r");
  auto& acme = metrics.ObserverFor("acme");
  auto& globex = metrics.ObserverFor("globex");
  EXPECT_EQ(&acme, &metrics.ObserverFor("acme"));
  EXPECT_NE(&acme, &globex);
}

TEST(SelfMetricsTest, ObserverCallsLandOnTheRightSeries) {
  SelfMetrics metrics("v", "r");
  auto& acme = metrics.ObserverFor("acme");
  auto& globex = metrics.ObserverFor("globex");
  acme.OnRequest("/api/v2/account/devices", "200", 0.3);
  acme.OnRequest("/api/v2/account/devices", "200", 2.0);
  acme.OnRequest("/api/v2/account/devices", "429", 0.07);
  acme.OnRequest("/auth/oauth/token", "error", 45);
  globex.OnRequest("/api/v2/account/devices", "200", 0.1);
  acme.OnRetry("transport");
  acme.OnRetry("transport");
  acme.OnRetry("rate_limited");
  acme.OnDecodeError("/api/v2/account/alerts/open");
  acme.OnDecodeWarnings("/api/v2/account/devices", 3);
  acme.OnDecodeWarnings("/api/v2/account/devices", 1);
  acme.OnUnknownEnumValue("patchStatus", "PartiallyPatched");
  acme.OnUnknownEnumValue("patchStatus", "PartiallyPatched");  // the same value again
  acme.OnUnknownEnumValue("patchStatus", "Other");
  globex.OnUnknownEnumValue("patchStatus", "PartiallyPatched");  // distinct per account
  acme.OnThrottleWait(1.5);
  acme.OnThrottleWait(0.25);
  acme.OnThrottleWait(-1);  // ignored: a counter never goes down
  acme.OnRateLimited();
  acme.OnBlocked(true);
  globex.OnTokenIssued(WallTime{});

  auto families = metrics.registry()->Collect();
  const LabelMap acme_devices = {{"account", "acme"}, {"endpoint", "/api/v2/account/devices"}};
  auto with_code = [&](const char* code) {
    auto labels = acme_devices;
    labels["code"] = code;
    return labels;
  };
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_requests_total", with_code("200")), 2);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_requests_total", with_code("429")), 1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_requests_total",
                    {{"account", "acme"}, {"endpoint", "/auth/oauth/token"}, {"code", "error"}}),
            1);
  EXPECT_EQ(
      ValueOf(families, "datto_rmm_api_requests_total",
              {{"account", "globex"}, {"endpoint", "/api/v2/account/devices"}, {"code", "200"}}),
      1);

  const auto* histogram = Histogram(families, acme_devices);
  ASSERT_NE(histogram, nullptr);
  EXPECT_EQ(histogram->histogram.sample_count, 3U);
  EXPECT_DOUBLE_EQ(histogram->histogram.sample_sum, 2.37);
  ASSERT_FALSE(histogram->histogram.bucket.empty());
  EXPECT_DOUBLE_EQ(histogram->histogram.bucket.front().upper_bound, 0.05);
  // 0.07 and 0.3 are at most 0.5; 2.0 is above 1.5.
  std::map<double, std::uint64_t> cumulative;
  for (const auto& bucket : histogram->histogram.bucket) {
    cumulative[bucket.upper_bound] = bucket.cumulative_count;
  }
  EXPECT_EQ(cumulative.at(0.05), 0U);
  EXPECT_EQ(cumulative.at(0.1), 1U);
  EXPECT_EQ(cumulative.at(0.5), 2U);
  EXPECT_EQ(cumulative.at(1.5), 2U);
  EXPECT_EQ(cumulative.at(2.5), 3U);
  // The last finite bound is 30 s; prometheus-cpp appends +Inf.
  const auto& buckets = histogram->histogram.bucket;
  ASSERT_GE(buckets.size(), 2U);
  EXPECT_DOUBLE_EQ(buckets[buckets.size() - 2].upper_bound, 30);
  EXPECT_TRUE(std::isinf(buckets.back().upper_bound));
  const auto* token = Histogram(families, {{"account", "acme"}, {"endpoint", "/auth/oauth/token"}});
  ASSERT_NE(token, nullptr);
  const auto& token_buckets = token->histogram.bucket;
  EXPECT_EQ(token_buckets[token_buckets.size() - 2].cumulative_count, 0U);  // 45 s: above 30
  EXPECT_EQ(token_buckets.back().cumulative_count, 1U);

  EXPECT_EQ(ValueOf(families, "datto_rmm_api_retries_total",
                    {{"account", "acme"}, {"reason", "transport"}}),
            2);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_retries_total",
                    {{"account", "acme"}, {"reason", "rate_limited"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_retries_total",
                    {{"account", "globex"}, {"reason", "transport"}}),
            0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_decode_errors_total",
                    {{"account", "acme"}, {"endpoint", "/api/v2/account/alerts/open"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_decode_warnings_total",
                    {{"account", "acme"}, {"endpoint", "/api/v2/account/devices"}}),
            4);
  EXPECT_EQ(ValueOf(families, "datto_rmm_unknown_enum_values_total",
                    {{"account", "acme"}, {"field", "patchStatus"}}),
            2);
  EXPECT_EQ(ValueOf(families, "datto_rmm_unknown_enum_values_total",
                    {{"account", "globex"}, {"field", "patchStatus"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_throttle_wait_seconds_total", {{"account", "acme"}}),
            1.75);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_rate_limited_total", {{"account", "acme"}}), 1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_rate_limited_total", {{"account", "globex"}}), 0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_blocked", {{"account", "acme"}}), 1);
  acme.OnBlocked(false);
  families = metrics.registry()->Collect();
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_blocked", {{"account", "acme"}}), 0);
}

TEST(SelfMetricsTest, NamesAndHelpComeFromTheCatalog) {
  SelfMetrics metrics("v", "r");
  auto& observer = metrics.ObserverFor("acme");
  observer.OnRequest("/api/v2/account", "200", 0.1);
  observer.OnDecodeError("/api/v2/account");
  for (const auto& family : metrics.registry()->Collect()) {
    EXPECT_TRUE(prometheus::CheckMetricName(family.name)) << family.name;
    const MetricSpec* spec = FindMetric(family.name);
    ASSERT_NE(spec, nullptr) << family.name;
    EXPECT_EQ(family.type, spec->type) << family.name;
    EXPECT_EQ(family.help, spec->help) << family.name;
    EXPECT_EQ(spec->source, "exporter") << family.name;
    for (const auto& metric : family.metric) {
      std::vector<std::string> names;
      for (const auto& label : metric.label) names.push_back(label.name);
      auto expected = LabelNames(*spec);
      std::sort(expected.begin(), expected.end());  // a registry's labels come sorted by name
      EXPECT_EQ(names, expected) << family.name;
    }
  }
}

// Run under TSan: collectors of several accounts report at once while /metrics is scraped.
TEST(SelfMetricsTest, ConcurrentObserversAndScrapes) {
  SelfMetrics metrics("v", "r");
  constexpr int kThreads = 4;
  constexpr int kCalls = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      const std::string account = t % 2 == 0 ? "acme" : "globex";
      for (int i = 0; i < kCalls; ++i) {
        auto& observer = metrics.ObserverFor(account);
        observer.OnRequest(i % 3 == 0 ? "/api/v2/account/sites" : "/api/v2/account/devices",
                           i % 5 == 0 ? "500" : "200", 0.01 * (i % 50));
        observer.OnRetry("server_error");
        observer.OnThrottleWait(0.5);
        observer.OnUnknownEnumValue("priority", "P" + std::to_string(i % 7));
        observer.OnBlocked(i % 2 == 0);
      }
    });
  }
  threads.emplace_back([&metrics] {
    for (int i = 0; i < 50; ++i) metrics.registry()->Collect();
  });
  for (auto& thread : threads) thread.join();

  const auto families = metrics.registry()->Collect();
  double requests = 0;
  for (const auto* metric : testing::Select(families, "datto_rmm_api_requests_total")) {
    requests += metric->counter.value;
  }
  EXPECT_EQ(requests, kThreads * kCalls);
  for (const std::string account : {"acme", "globex"}) {
    EXPECT_EQ(ValueOf(families, "datto_rmm_api_retries_total",
                      {{"account", account}, {"reason", "server_error"}}),
              2 * kCalls);
    EXPECT_EQ(
        ValueOf(families, "datto_rmm_api_throttle_wait_seconds_total", {{"account", account}}),
        2 * kCalls * 0.5);
    EXPECT_EQ(ValueOf(families, "datto_rmm_unknown_enum_values_total",
                      {{"account", account}, {"field", "priority"}}),
              7);  // seven distinct values, each counted once
  }
}

}  // namespace
}  // namespace drmm
