// An in-process simulator plus a Poller pointed at it, and the comparison of what the exporter
// would serve (BuildFamilies of the poller's Snapshot) with the simulator's ground truth.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "exporter/collect/site_filter.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "sim/simulator.h"
#include "support/ground_truth_compare.h"
#include "support/metric_query.h"
#include "support/served_families.h"

namespace drmm::testing {

inline sim::SimulatorOptions SmallAccount(std::uint64_t seed = 7) {
  sim::SimulatorOptions options;
  options.port = 0;
  options.seed = seed;
  options.sites = 30;
  options.devices = 1200;
  options.alerts = 400;
  options.alerts_page_max = 100;  // alerts paginate differently from the rest, as on Datto
  options.churn_per_minute = 0;   // tests apply churn explicitly
  return options;
}

// Every site exported, so each one can be compared with the ground truth.
inline AccountConfig AccountFor(const sim::Simulator& simulator, const std::string& name) {
  AccountConfig account;
  account.name = name;
  account.base_url = simulator.base_url();
  account.api_key = "demo-key";
  account.api_secret = "demo-secret";
  account.read_timeout = std::chrono::seconds(10);
  account.site_filter.deleted_devices = true;
  account.site_filter.on_demand = true;
  return account;
}

inline PollerTuning FastRetries() {
  PollerTuning tuning;
  tuning.retry.initial_backoff = std::chrono::milliseconds(5);
  tuning.retry.max_backoff = std::chrono::milliseconds(20);
  return tuning;
}

inline double Value(const std::vector<prometheus::MetricFamily>& families, const std::string& name,
                    const LabelMap& labels) {
  const auto value = ValueOf(families, name, labels);
  EXPECT_TRUE(value.has_value()) << name << " missing for " << ::testing::PrintToString(labels);
  return value.value_or(std::nan(""));
}

// Asserts that every per-site figure the exporter serves for `account` equals the simulator's
// ground truth, for the sites `filter` includes, and that excluded sites are absent: one test
// failure per difference (the comparison is shared with tests/tools/truth_check).
inline void ExpectMatchesGroundTruth(
    const std::vector<prometheus::MetricFamily>& families, const std::string& account,
    const nlohmann::json& truth, const SiteFilter& filter,
    const std::map<std::string, std::string>& udf_site_counts = {}) {
  const GroundTruthComparison comparison = CompareWithGroundTruth(
      families, account, truth,
      [&](const std::string& uid, const std::string& name, bool on_demand) {
        return filter.Includes(uid, name, on_demand);
      },
      udf_site_counts);
  for (const auto& difference : comparison.differences) ADD_FAILURE() << difference;
}

inline std::shared_ptr<const SiteFilter> FilterOf(const SiteFilterConfig& config) {
  auto created = SiteFilter::Create(config);
  return std::make_shared<const SiteFilter>(std::move(created).value());
}

// Requests the simulator received for `path` since its log was last reset.
inline int CountRequests(const sim::Simulator& simulator, const std::string& path) {
  const auto log = simulator.RequestLog();
  const auto& by_path = log.at("by_path");
  return by_path.contains(path) ? by_path.at(path).get<int>() : 0;
}

inline int Pages(std::int64_t items, std::int64_t page_size) {
  return static_cast<int>(std::max<std::int64_t>(1, (items + page_size - 1) / page_size));
}

}  // namespace drmm::testing
