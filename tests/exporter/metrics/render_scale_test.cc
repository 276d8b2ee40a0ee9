// Folds a large account through the real folds and renders it, asserting the series counts and
// printing how long rendering such an account takes (no timing assertions).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "exporter/collect/alerts_fold.h"
#include "exporter/collect/devices_fold.h"
#include "exporter/collect/sites_fold.h"
#include "exporter/metrics/render.h"
#include "support/exposition_text.h"
#include "support/metric_query.h"

namespace drmm {
namespace {

constexpr int kSites = 1000;
constexpr int kDevices = 100'000;
constexpr int kAlerts = 5000;
constexpr int kMaxDeviceRows = 10'000;

AccountSnapshot LargeAccount() {
  AccountSnapshot account;
  account.account = "big";
  account.device_metrics = true;

  SitesFold sites;
  std::vector<datto::Site> site_page;
  for (int s = 0; s < kSites; ++s) {
    datto::Site site;
    site.uid = "site-" + std::to_string(s);
    site.name = "Customer " + std::to_string(s);
    site.on_demand = false;
    site_page.push_back(std::move(site));
  }
  sites.Add(std::move(site_page));
  account.sites = std::make_shared<const SitesData>(std::move(sites).Finish());

  DeviceMetricsConfig per_device;
  per_device.enabled = true;
  per_device.max_devices = kMaxDeviceRows;
  // A contract tier in udf5 on every device, counted per site: three values.
  per_device.udf_labels = {{5, "contract", true}};
  DevicesFold devices(per_device, WallTime(std::chrono::milliseconds(1'767'225'600'000LL)));
  const char* categories[] = {"Desktop", "Laptop", "Server", "Network Device"};
  for (int first = 0; first < kDevices; first += 250) {
    std::vector<datto::Device> page;
    for (int i = first; i < first + 250; ++i) {
      datto::Device device;
      device.uid = "dev-" + std::to_string(i);
      device.site_uid = "site-" + std::to_string(i % kSites);
      device.hostname = "host-" + std::to_string(i);
      // Site-major numbering: device i is the (i / kSites)-th device of its site.
      const int nth = i / kSites;
      device.category = categories[nth % 4];
      device.online = nth % 5 != 0;
      device.patch_management = datto::PatchManagement{"FullyPatched", 0, 1, 20};
      device.antivirus = datto::Antivirus{"Defender", "RunningAndUpToDate"};
      device.udfs = {{5, i % 3 == 0 ? "Gold" : i % 3 == 1 ? "Silver" : "Bronze"}};
      page.push_back(std::move(device));
    }
    devices.Add(std::move(page));
  }
  account.devices = std::make_shared<const DevicesData>(std::move(devices).Finish());

  AlertsFold alerts;
  std::vector<datto::Alert> alert_page;
  for (int i = 0; i < kAlerts; ++i) {
    datto::Alert alert;
    alert.alert_uid = "alert-" + std::to_string(i);
    alert.site_uid = "site-" + std::to_string(i % kSites);
    alert.priority = (i / kSites) % 2 == 0 ? "High" : "Critical";
    alert.alert_class = "perf_disk_usage_ctx";
    alert.timestamp = WallTime(std::chrono::milliseconds(1'767'000'000'000LL + i));
    alert_page.push_back(std::move(alert));
  }
  alerts.Add(std::move(alert_page));
  account.alerts = std::make_shared<const AlertsData>(std::move(alerts).Finish());
  return account;
}

TEST(RenderScaleTest, LargeAccountFromTheFolds) {
  Snapshot snapshot;
  snapshot.accounts.push_back(LargeAccount());

  const auto started = std::chrono::steady_clock::now();
  const std::string text = RenderSnapshotText(snapshot);
  const auto rendered = std::chrono::steady_clock::now();
  const auto families = testing::ParseExposition(text);

  std::size_t series = 0;
  for (const auto& family : families) series += family.metric.size();
  auto seconds = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  std::printf(
      "[ MEASURE  ] %d sites, %d devices (%d per-device rows), %d alerts: %zu series, "
      "rendered in %.3f s, %.1f MB of text\n",
      kSites, kDevices, kMaxDeviceRows, kAlerts, series, seconds(started, rendered),
      static_cast<double>(text.size()) / 1e6);

  EXPECT_EQ(testing::Select(families, "datto_rmm_site_info").size(), std::size_t{kSites});
  // Four categories per site, both statuses.
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_devices").size(), std::size_t{kSites} * 8);
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_alerts_open").size(),
            std::size_t{kSites} * 12);
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_oldest_open_alert_timestamp_seconds").size(),
            std::size_t{kSites} * 2);
  // The default three stale ages, four warranty and three device states per site.
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_devices_not_seen").size(),
            std::size_t{kSites} * 3);
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_devices_warranty").size(),
            std::size_t{kSites} * 4);
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_devices_state").size(),
            std::size_t{kSites} * 3);
  EXPECT_EQ(testing::Select(families, "datto_rmm_site_devices_udf").size(),
            std::size_t{kSites} * 3);
  for (const auto* name :
       {"datto_rmm_device_info", "datto_rmm_device_online",
        "datto_rmm_device_patches_approved_pending", "datto_rmm_device_reboot_required"}) {
    EXPECT_EQ(testing::Select(families, name).size(), std::size_t{kMaxDeviceRows}) << name;
  }
  EXPECT_EQ(testing::ValueOf(families, "datto_rmm_device_metrics_dropped", {{"account", "big"}}),
            kDevices - kMaxDeviceRows);
  // 100 devices per site, 25 per category; offline: every fifth, so 5 of the Desktops.
  EXPECT_EQ(testing::ValueOf(families, "datto_rmm_site_devices",
                             {{"account", "big"},
                              {"site_uid", "site-0"},
                              {"site", "Customer 0"},
                              {"category", "Desktop"},
                              {"status", "offline"}}),
            5);
  EXPECT_EQ(testing::ValueOf(families, "datto_rmm_site_alerts_open",
                             {{"account", "big"},
                              {"site_uid", "site-7"},
                              {"site", "Customer 7"},
                              {"priority", "high"},
                              {"muted", "false"}}),
            3);
  EXPECT_EQ(testing::ValueOf(families, "datto_rmm_alerts_open",
                             {{"account", "big"},
                              {"priority", "high"},
                              {"type", "perf_disk_usage_ctx"},
                              {"muted", "false"}}),
            3 * kSites);  // 5 alerts per site, 3 of them high
}

}  // namespace
}  // namespace drmm
