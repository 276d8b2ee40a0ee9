// An in-process simulator plus a Poller pointed at it, and the comparison of what the exporter
// would serve (BuildFamilies of the poller's Snapshot) with the simulator's ground truth.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stop_token>
#include <string>
#include <tuple>
#include <vector>

#include "exporter/collect/site_filter.h"
#include "support/served_families.h"
#include "exporter/metrics/self_metrics.h"
#include "exporter/poll/poller.h"
#include "sim/simulator.h"
#include "support/metric_query.h"

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
  options.threads = 8;
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
// ground truth, for the sites `filter` includes, and that excluded sites are absent.
inline void ExpectMatchesGroundTruth(const std::vector<prometheus::MetricFamily>& families,
                                     const std::string& account, const nlohmann::json& truth,
                                     const SiteFilter& filter) {
  std::map<std::tuple<std::string, std::string, std::string>, double> by_priority_type;
  int included = 0;
  for (const auto& site : truth.at("sites")) {
    const std::string uid = site.at("uid");
    const std::string name = site.at("name");
    const LabelMap base{{"account", account}, {"site_uid", uid}, {"site", name}};
    if (!filter.Includes(uid, name, site.at("on_demand").get<bool>())) {
      EXPECT_TRUE(Select(families, "datto_rmm_site_alerts_open", {{"site_uid", uid}}).empty())
          << "excluded site " << name << " is exported";
      continue;
    }
    ++included;
    SCOPED_TRACE("site " + name + " (" + uid + ")");
    auto with = [&](const std::string& key, const std::string& value) {
      LabelMap labels = base;
      labels[key] = value;
      return labels;
    };
    LabelMap info = with("on_demand", site.at("on_demand").get<bool>() ? "true" : "false");
    info["portal_url"] = site.at("portal_url");
    EXPECT_EQ(Value(families, "datto_rmm_site_info", info), 1);
    for (const auto& [muted, by_priority] : site.at("alerts_open").items()) {
      for (const auto& [priority, count] : by_priority.items()) {
        LabelMap labels = with("priority", priority);
        labels["muted"] = muted;
        EXPECT_EQ(Value(families, "datto_rmm_site_alerts_open", labels), count.get<double>())
            << priority << " muted=" << muted;
      }
    }
    for (const auto& [muted, by_priority] :
         site.at("oldest_open_alert_timestamp_seconds").items()) {
      for (const auto& [priority, seconds] : by_priority.items()) {
        LabelMap labels = with("priority", priority);
        labels["muted"] = muted;
        EXPECT_NEAR(Value(families, "datto_rmm_site_oldest_open_alert_timestamp_seconds", labels),
                    seconds.get<double>(), 1e-3)
            << priority << " muted=" << muted;
      }
    }
    for (const auto& [muted, by_priority] : site.at("alerts_open_by_type").items()) {
      for (const auto& [priority, types] : by_priority.items()) {
        for (const auto& [type, count] : types.items()) {
          by_priority_type[{priority, type, muted}] += count.get<double>();
        }
      }
    }
    // Devices by category and status, and no extra non-zero series.
    double device_series_total = 0;
    for (const auto* metric :
         Select(families, "datto_rmm_site_devices", {{"account", account}, {"site_uid", uid}})) {
      device_series_total += metric->gauge.value;
    }
    EXPECT_EQ(device_series_total, site.at("devices_total").get<double>());
    for (const char* status : {"online", "offline"}) {
      for (const auto& [category, count] :
           site.at(std::string("devices_") + status + "_by_category").items()) {
        LabelMap labels = with("category", category);
        labels["status"] = status;
        EXPECT_EQ(Value(families, "datto_rmm_site_devices", labels), count.get<double>())
            << category << " " << status;
      }
    }
    for (const auto& [state, count] : site.at("patch_status").items()) {
      EXPECT_EQ(Value(families, "datto_rmm_site_devices_patch_status", with("patch_status", state)),
                count.get<double>())
          << state;
    }
    for (const auto& [state, count] : site.at("patches").items()) {
      EXPECT_EQ(Value(families, "datto_rmm_site_patches", with("state", state)),
                count.get<double>())
          << state;
    }
    EXPECT_EQ(Value(families, "datto_rmm_site_devices_reboot_required", base),
              site.at("reboot_required").get<double>());
    for (const auto& [state, count] : site.at("antivirus_status").items()) {
      EXPECT_EQ(Value(families, "datto_rmm_site_devices_antivirus_status",
                      with("antivirus_status", state)),
                count.get<double>())
          << state;
    }
  }
  EXPECT_GT(included, 0);
  // Account-wide open alerts by priority and type: the sum over the included sites.
  double exported_total = 0;
  for (const auto* metric : Select(families, "datto_rmm_alerts_open", {{"account", account}})) {
    exported_total += metric->gauge.value;
  }
  double truth_total = 0;
  for (const auto& [key, count] : by_priority_type) {
    const auto& [priority, type, muted] = key;
    truth_total += count;
    EXPECT_EQ(
        Value(families, "datto_rmm_alerts_open",
              {{"account", account}, {"priority", priority}, {"type", type}, {"muted", muted}}),
        count)
        << priority << "/" << type << " muted=" << muted;
  }
  EXPECT_EQ(exported_total, truth_total);
}

inline std::shared_ptr<const SiteFilter> FilterOf(const SiteFilterConfig& config) {
  auto created = SiteFilter::Create(config);
  return std::make_shared<const SiteFilter>(std::get<SiteFilter>(std::move(created)));
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
