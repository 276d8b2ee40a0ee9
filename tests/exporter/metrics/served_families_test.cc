#include "support/served_families.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <variant>

#include "exporter/catalog/catalog.h"
#include "exporter/collect/site_filter.h"
#include "golden_snapshot.h"
#include "prometheus/check_names.h"
#include "support/metric_query.h"

namespace drmm {
namespace {

using testing::LabelMap;
using testing::Select;
using testing::ValueOf;

std::vector<prometheus::MetricFamily> Golden() {
  return testing::ServedFamilies(testing::GoldenSnapshot());
}

std::set<std::string> SiteUidsOf(const std::vector<prometheus::MetricFamily>& families,
                                 const std::string& name, const std::string& account) {
  std::set<std::string> uids;
  for (const auto* metric : Select(families, name, {{"account", account}})) {
    uids.insert(testing::LabelsOf(*metric).at("site_uid"));
  }
  return uids;
}

TEST(BuildFamiliesTest, NamesLabelsTypesAndHelpComeFromTheCatalog) {
  const auto families = Golden();
  ASSERT_FALSE(families.empty());
  for (const auto& family : families) {
    EXPECT_TRUE(prometheus::CheckMetricName(family.name)) << family.name;
    const MetricSpec* spec = FindMetric(family.name);
    ASSERT_NE(spec, nullptr) << family.name;
    EXPECT_EQ(family.type, spec->type) << family.name;
    EXPECT_EQ(family.help, spec->help) << family.name;
    EXPECT_EQ(family.type, prometheus::MetricType::Gauge) << family.name;
    const auto catalog_labels = LabelNames(*spec);
    for (const auto& metric : family.metric) {
      auto expected_labels = catalog_labels;
      // The configured UDF labels follow the catalog's on device_info (acme maps two).
      if (spec == &kMetricDeviceInfo && metric.label.front().value == "acme") {
        expected_labels.insert(expected_labels.end(), {"contract", "owner"});
      }
      std::vector<std::string> names;
      for (const auto& label : metric.label) {
        EXPECT_TRUE(prometheus::CheckLabelName(label.name)) << family.name << " " << label.name;
        names.push_back(label.name);
      }
      EXPECT_EQ(names, expected_labels) << family.name;
      EXPECT_EQ(metric.timestamp_ms, 0) << family.name;  // no timestamps on samples
    }
  }
}

TEST(BuildFamiliesTest, FamiliesInCatalogOrderAndSeriesSortedByLabels) {
  const auto families = Golden();
  std::size_t previous = 0;
  for (const auto& family : families) {
    const auto position = static_cast<std::size_t>(
        std::find(kMetricCatalog.begin(), kMetricCatalog.end(), FindMetric(family.name)) -
        kMetricCatalog.begin());
    EXPECT_GE(position, previous) << family.name;
    previous = position;
    EXPECT_FALSE(family.metric.empty()) << family.name;
    for (std::size_t i = 1; i < family.metric.size(); ++i) {
      EXPECT_LT(family.metric[i - 1].label, family.metric[i].label) << family.name;
    }
  }
}

// Every site any collector knows: s-002 has no devices, s-006 is known only to the devices
// data, s-007 only to the alerts data. Each reads 0 where it has nothing, instead of vanishing.
TEST(BuildFamiliesTest, EveryPriorityPatchAndAntivirusStatePresentPerSite) {
  const auto families = Golden();
  for (const std::string site : {"s-001", "s-002", "s-004", "s-006", "s-007"}) {
    const LabelMap labels = {{"account", "acme"}, {"site_uid", site}};
    for (const auto status : kPatchStatuses) {
      auto with = labels;
      with["patch_status"] = status;
      EXPECT_EQ(Select(families, "datto_rmm_site_devices_patch_status", with).size(), 1U)
          << site << " " << status;
    }
    for (const auto status : kAntivirusStatuses) {
      auto with = labels;
      with["antivirus_status"] = status;
      EXPECT_EQ(Select(families, "datto_rmm_site_devices_antivirus_status", with).size(), 1U)
          << site << " " << status;
    }
    for (const auto state : {"approved_pending", "not_approved", "installed"}) {
      auto with = labels;
      with["state"] = state;
      EXPECT_EQ(Select(families, "datto_rmm_site_patches", with).size(), 1U) << site;
    }
  }
  for (const std::string site : {"s-001", "s-002", "s-004", "s-006", "s-007"}) {
    for (const auto priority : kAlertPriorities) {
      for (const auto muted : {"false", "true"}) {
        EXPECT_EQ(Select(families, "datto_rmm_site_alerts_open",
                         {{"account", "acme"},
                          {"site_uid", site},
                          {"priority", std::string(priority)},
                          {"muted", muted}})
                      .size(),
                  1U)
            << site << " " << priority << " muted=" << muted;
      }
    }
  }
  // Unknown values are exported next to the fixed sets.
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_devices_patch_status",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"patch_status", "partially_patched"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_devices_antivirus_status",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"antivirus_status", "quarantined"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_alerts_open",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"priority", "urgent"},
                     {"muted", "false"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_alerts_open",
                    {{"account", "acme"},
                     {"site_uid", "s-002"},
                     {"site", "Branch \"North\""},
                     {"priority", "critical"},
                     {"muted", "false"}}),
            0);
  // Muted alerts are counted apart.
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_alerts_open",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"priority", "critical"},
                     {"muted", "true"}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_alerts_open",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"priority", "critical"},
                     {"muted", "false"}}),
            2);
}

TEST(BuildFamiliesTest, SiteFilterAppliesToEveryPerSiteAndPerDeviceSeries) {
  const auto families = Golden();
  for (const auto& family : families) {
    for (const auto& metric : family.metric) {
      const auto labels = testing::LabelsOf(metric);
      if (labels.at("account") != "acme") continue;
      if (labels.contains("site_uid")) {
        EXPECT_NE(labels.at("site_uid"), "s-003") << family.name;  // "Test .*" excluded
        EXPECT_NE(labels.at("site_uid"), "s-005") << family.name;  // Deleted Devices
      }
    }
  }
  // The account-wide counts leave the excluded sites out too.
  EXPECT_TRUE(Select(families, "datto_rmm_alerts_open", {{"account", "acme"}, {"priority", "low"}})
                  .empty());
  EXPECT_TRUE(
      Select(families, "datto_rmm_alerts_open", {{"account", "acme"}, {"priority", "information"}})
          .empty());
  EXPECT_EQ(ValueOf(families, "datto_rmm_alerts_open",
                    {{"account", "acme"},
                     {"priority", "critical"},
                     {"type", "perf_disk_usage_ctx"},
                     {"muted", "false"}}),
            3);  // s-001 (2) + s-007 (1)
  EXPECT_EQ(ValueOf(families, "datto_rmm_alerts_open",
                    {{"account", "acme"},
                     {"priority", "critical"},
                     {"type", "perf_disk_usage_ctx"},
                     {"muted", "true"}}),
            1);
  // Without a filter every site is exported, "Deleted Devices" included.
  EXPECT_EQ(SiteUidsOf(families, "datto_rmm_site_info", "globex"),
            (std::set<std::string>{"g-1", "g-2"}));
}

TEST(BuildFamiliesTest, SiteNameFromSitesDataElseDevicesElseAlerts) {
  const auto families = Golden();
  EXPECT_EQ(
      Select(families, "datto_rmm_site_devices", {{"site_uid", "s-001"}, {"site", "Head Office"}})
          .size(),
      4U);  // Desktop and Server, online and offline
  EXPECT_TRUE(
      Select(families, "datto_rmm_site_devices", {{"site", "Head Office (devices)"}}).empty());
  EXPECT_EQ(testing::LabelsOf(
                *Select(families, "datto_rmm_device_info", {{"device_uid", "d-001"}}).front())
                .at("site"),
            "Head Office");
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_devices_reboot_required",
                    {{"account", "acme"}, {"site_uid", "s-006"}, {"site", "New Site"}}),
            0);
  EXPECT_EQ(Select(families, "datto_rmm_site_alerts_open",
                   {{"site_uid", "s-007"}, {"site", "Alert Only Site"}})
                .size(),
            12U);  // six priorities, muted and not
}

TEST(BuildFamiliesTest, SiteInfoComesFromTheSitesData) {
  const auto families = Golden();
  EXPECT_EQ(SiteUidsOf(families, "datto_rmm_site_info", "acme"),
            (std::set<std::string>{"s-001", "s-002", "s-004"}));
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_info",
                    {{"account", "acme"},
                     {"site_uid", "s-004"},
                     {"site", "Pop-up Clinic"},
                     {"on_demand", "true"},
                     {"portal_url", ""},
                     {"autotask_company_id", ""},  // not linked
                     {"autotask_company_name", ""}}),
            1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_info",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"on_demand", "false"},
                     {"portal_url", "https://merlot.centrastage.net/csm/profile/site/1"},
                     {"autotask_company_id", "29612345"},
                     {"autotask_company_name", "Head Office Ltd"}}),
            1);
}

TEST(BuildFamiliesTest, OnDemandSitesOutWhenTheFilterSaysSoUnknownCountsAsNotOnDemand) {
  Snapshot snapshot = testing::GoldenSnapshot();
  SiteFilterConfig config;
  config.on_demand = false;
  snapshot.accounts[0].site_filter =
      std::make_shared<const SiteFilter>(SiteFilter::Create(config).value());
  const auto families = testing::ServedFamilies(snapshot);
  // s-004 is on-demand per the sites data; s-006 is unknown to it, so not on-demand.
  EXPECT_EQ(SiteUidsOf(families, "datto_rmm_site_devices_reboot_required", "acme"),
            (std::set<std::string>{"s-001", "s-002", "s-003", "s-006", "s-007"}));
}

TEST(BuildFamiliesTest, OnDemandSitesStayOutWhileTheSitesDataIsStale) {
  Snapshot snapshot = testing::GoldenSnapshot();
  SiteFilterConfig config;
  config.on_demand = false;
  auto& account = snapshot.accounts[0];
  account.site_filter = std::make_shared<const SiteFilter>(SiteFilter::Create(config).value());
  account.last_known_sites = account.sites;
  account.sites = nullptr;  // stale: dropped from the snapshot
  const auto families = testing::ServedFamilies(snapshot);
  // s-004 (on-demand per the last sites data) is still out, though the devices and alerts know
  // it; s-002 was known only to the sites data, so it is gone with it.
  EXPECT_EQ(SiteUidsOf(families, "datto_rmm_site_alerts_open", "acme"),
            (std::set<std::string>{"s-001", "s-003", "s-006", "s-007"}));
  EXPECT_TRUE(SiteUidsOf(families, "datto_rmm_site_info", "acme").empty());
}

TEST(BuildFamiliesTest, SiteAlertsForEverySiteAnyCollectorKnows) {
  const auto families = Golden();
  EXPECT_EQ(SiteUidsOf(families, "datto_rmm_site_alerts_open", "acme"),
            (std::set<std::string>{"s-001", "s-002", "s-004", "s-006", "s-007"}));
  EXPECT_EQ(SiteUidsOf(families, "datto_rmm_site_oldest_open_alert_timestamp_seconds", "acme"),
            (std::set<std::string>{"s-001", "s-007"}));
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_oldest_open_alert_timestamp_seconds",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"priority", "critical"},
                     {"muted", "false"}}),
            1767000000.5);
  // Before the alerts collector has data there are no per-site alert series at all.
  Snapshot snapshot = testing::GoldenSnapshot();
  snapshot.accounts[0].alerts = nullptr;
  const auto without = testing::ServedFamilies(snapshot);
  EXPECT_TRUE(Select(without, "datto_rmm_site_alerts_open", {{"account", "acme"}}).empty());
  EXPECT_TRUE(Select(without, "datto_rmm_alerts_open", {{"account", "acme"}}).empty());
  EXPECT_FALSE(Select(without, "datto_rmm_site_info", {{"account", "acme"}}).empty());
}

TEST(BuildFamiliesTest, NoPerSiteDeviceSeriesBeforeTheDevicesCollectorHasData) {
  Snapshot snapshot = testing::GoldenSnapshot();
  snapshot.accounts[0].devices = nullptr;
  const auto without = testing::ServedFamilies(snapshot);
  for (const char* family :
       {"datto_rmm_site_devices", "datto_rmm_site_devices_patch_status", "datto_rmm_site_patches",
        "datto_rmm_site_devices_reboot_required", "datto_rmm_site_devices_antivirus_status"}) {
    EXPECT_TRUE(Select(without, family, {{"account", "acme"}}).empty()) << family;
  }
  EXPECT_FALSE(Select(without, "datto_rmm_site_alerts_open", {{"account", "acme"}}).empty());
}

TEST(BuildFamiliesTest, DeletedSiteDisappearsOnTheNextBuild) {
  Snapshot snapshot = testing::GoldenSnapshot();
  ASSERT_FALSE(
      SiteUidsOf(testing::ServedFamilies(snapshot), "datto_rmm_site_info", "acme").empty());
  auto& account = snapshot.accounts[0];
  auto sites = std::make_shared<SitesData>(*account.sites);
  std::erase_if(sites->sites, [](const SiteInfo& site) { return site.uid == "s-001"; });
  account.sites = sites;
  auto devices = std::make_shared<DevicesData>(*account.devices);
  devices->sites.erase("s-001");
  std::erase_if(devices->devices, [](const DeviceRow& row) { return row.site_uid == "s-001"; });
  account.devices = devices;
  auto alerts = std::make_shared<AlertsData>(*account.alerts);
  alerts->sites.erase("s-001");
  account.alerts = alerts;

  const auto families = testing::ServedFamilies(snapshot);
  for (const auto& family : families) {
    for (const auto& metric : family.metric) {
      const auto labels = testing::LabelsOf(metric);
      EXPECT_FALSE(labels.contains("site_uid") && labels.at("site_uid") == "s-001") << family.name;
    }
  }
  EXPECT_TRUE(Select(families, "datto_rmm_alerts_open", {{"account", "acme"}, {"priority", "high"}})
                  .empty());
}

TEST(BuildFamiliesTest, StaleCollectorDataIsGoneAndItsHealthShows) {
  const auto families = Golden();
  // globex's devices data is null: none of its device series are exported.
  EXPECT_TRUE(Select(families, "datto_rmm_site_devices", {{"account", "globex"}}).empty());
  EXPECT_TRUE(
      Select(families, "datto_rmm_site_devices_patch_status", {{"account", "globex"}}).empty());
  EXPECT_EQ(ValueOf(families, "datto_rmm_collector_success",
                    {{"account", "globex"}, {"collector", "devices"}}),
            0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_collector_last_success_timestamp_seconds",
                    {{"account", "globex"}, {"collector", "devices"}}),
            1767200000);
  EXPECT_EQ(ValueOf(families, "datto_rmm_up", {{"account", "globex"}}), 0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_up", {{"account", "acme"}}), 1);
}

TEST(BuildFamiliesTest, CollectorStatesBeforeTheFirstRunAndWhenDisabled) {
  const auto families = Golden();
  // rate_status of globex has not run: success 0, no duration, no last success.
  EXPECT_EQ(ValueOf(families, "datto_rmm_collector_success",
                    {{"account", "globex"}, {"collector", "rate_status"}}),
            0);
  EXPECT_FALSE(ValueOf(families, "datto_rmm_collector_duration_seconds",
                       {{"account", "globex"}, {"collector", "rate_status"}}));
  EXPECT_FALSE(ValueOf(families, "datto_rmm_collector_last_success_timestamp_seconds",
                       {{"account", "globex"}, {"collector", "rate_status"}}));
  EXPECT_EQ(ValueOf(families, "datto_rmm_collector_duration_seconds",
                    {{"account", "acme"}, {"collector", "devices"}}),
            12.5);

  Snapshot snapshot = testing::GoldenSnapshot();
  snapshot.accounts[1].collectors[3].enabled = false;
  const auto disabled = testing::ServedFamilies(snapshot);
  EXPECT_TRUE(Select(disabled, "datto_rmm_collector_success",
                     {{"account", "globex"}, {"collector", "rate_status"}})
                  .empty());
  EXPECT_EQ(Select(disabled, "datto_rmm_collector_success", {{"account", "globex"}}).size(), 3U);
}

TEST(BuildFamiliesTest, OptionalAccountValuesAreOmittedWhenUnknown) {
  const auto families = Golden();
  EXPECT_EQ(
      ValueOf(families, "datto_rmm_auth_token_expiry_timestamp_seconds", {{"account", "acme"}}),
      1767585600);
  EXPECT_FALSE(
      ValueOf(families, "datto_rmm_auth_token_expiry_timestamp_seconds", {{"account", "globex"}}));
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_account_requests_in_window", {{"account", "acme"}}),
            123);
  EXPECT_EQ(ValueOf(families, "datto_rmm_api_account_rate_limit", {{"account", "acme"}}), 600);
  EXPECT_FALSE(ValueOf(families, "datto_rmm_api_account_rate_limit", {{"account", "globex"}}));
  EXPECT_FALSE(
      ValueOf(families, "datto_rmm_api_budget_requests_per_minute", {{"account", "globex"}}));
}

TEST(BuildFamiliesTest, PerDeviceSeriesOnlyWhenEnabled) {
  const auto families = Golden();
  std::set<std::string> devices;
  for (const auto* metric : Select(families, "datto_rmm_device_info")) {
    devices.insert(testing::LabelsOf(*metric).at("device_uid"));
  }
  EXPECT_EQ(devices, (std::set<std::string>{"d-001", "d-002", "d-004"}));  // d-003: Test Lab
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_info",
                    {{"account", "acme"},
                     {"device_uid", "d-004"},
                     {"hostname", "new laptop"},
                     {"category", "Laptop"},
                     {"device_class", "device"},
                     {"os", ""},
                     {"site_uid", "s-006"},
                     {"site", "New Site"},
                     {"contract", ""},  // UDFs unset on this device
                     {"owner", ""}}),
            1);
  const LabelMap d1 = {{"account", "acme"}, {"site_uid", "s-001"}, {"device_uid", "d-001"}};
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_online", d1), 1);
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_last_seen_timestamp_seconds", d1), 1767225500.25);
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_patches_approved_pending", d1), 2);
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_reboot_required", d1), 1);
  const LabelMap d4 = {{"account", "acme"}, {"site_uid", "s-006"}, {"device_uid", "d-004"}};
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_online", d4), 0);
  EXPECT_FALSE(ValueOf(families, "datto_rmm_device_last_seen_timestamp_seconds", d4));
  EXPECT_EQ(ValueOf(families, "datto_rmm_device_metrics_dropped", {{"account", "acme"}}), 3);

  Snapshot snapshot = testing::GoldenSnapshot();
  snapshot.accounts[0].device_metrics = false;
  const auto off = testing::ServedFamilies(snapshot);
  for (const auto* name :
       {"datto_rmm_device_info", "datto_rmm_device_online",
        "datto_rmm_device_last_seen_timestamp_seconds", "datto_rmm_device_patches_approved_pending",
        "datto_rmm_device_reboot_required", "datto_rmm_device_metrics_dropped"}) {
    EXPECT_EQ(testing::FindFamily(off, name), nullptr) << name;
  }
}

TEST(BuildFamiliesTest, DevicesPerCategoryAndStatusHaveBothStatuses) {
  const auto families = Golden();
  const LabelMap server_online = {{"account", "acme"},
                                  {"site_uid", "s-001"},
                                  {"site", "Head Office"},
                                  {"category", "Server"},
                                  {"status", "online"}};
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_devices", server_online), 1);
  auto server_offline = server_online;
  server_offline["status"] = "offline";
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_devices", server_offline), 0);
  EXPECT_EQ(ValueOf(families, "datto_rmm_site_patches",
                    {{"account", "acme"},
                     {"site_uid", "s-001"},
                     {"site", "Head Office"},
                     {"state", "installed"}}),
            120);
}

TEST(BuildFamiliesTest, EmptySnapshotGivesNoFamilies) {
  EXPECT_TRUE(testing::ServedFamilies(Snapshot{}).empty());
  Snapshot fresh;
  fresh.accounts.emplace_back();
  fresh.accounts[0].account = "new";
  fresh.accounts[0].collectors.resize(2);
  fresh.accounts[0].collectors[0].name = "sites";
  fresh.accounts[0].collectors[1].name = "alerts";
  const auto families = testing::ServedFamilies(fresh);
  std::vector<std::string> names;
  for (const auto& family : families) names.push_back(family.name);
  // running_since is 0 before the first run too: a stuck first run is as visible as any.
  EXPECT_EQ(names,
            (std::vector<std::string>{"datto_rmm_up", "datto_rmm_collector_success",
                                      "datto_rmm_collector_running_since_timestamp_seconds"}));
}

}  // namespace
}  // namespace drmm
