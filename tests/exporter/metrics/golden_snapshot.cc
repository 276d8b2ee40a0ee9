#include "golden_snapshot.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "exporter/collect/site_filter.h"

namespace drmm::testing {
namespace {

CollectorStatus Collector(std::string name, bool ran, bool success, double duration,
                          std::optional<double> last_success,
                          std::optional<double> running_since = std::nullopt) {
  CollectorStatus status;
  status.name = std::move(name);
  status.ran = ran;
  status.last_success = success;
  status.last_duration_seconds = duration;
  status.last_success_unix = last_success;
  status.running_since_unix = running_since;
  return status;
}

std::shared_ptr<const SiteFilter> Filter(const SiteFilterConfig& config) {
  auto created = SiteFilter::Create(config);
  if (!created.ok()) throw std::runtime_error(created.error().message);
  return std::make_shared<const SiteFilter>(std::move(created).value());
}

AccountSnapshot Acme() {
  AccountSnapshot account;
  account.account = "acme";
  account.up = true;
  account.token_expiry_unix = 1767585600;
  account.collectors = {Collector("sites", true, true, 1.25, 1767225300),
                        Collector("devices", true, true, 12.5, 1767225000, 1767225570),
                        Collector("alerts", true, true, 0.75, 1767225540),
                        Collector("rate_status", true, true, 0.125, 1767225580)};
  account.budget_requests_per_minute = 300;
  account.requests_in_window = 42;
  account.poll_budget_utilization_ratio = 0.35;

  SiteFilterConfig filter;
  filter.exclude = {"Test .*"};
  account.site_filter = Filter(filter);
  account.device_metrics = true;

  auto sites = std::make_shared<SitesData>();
  const std::string portal = "https://merlot.centrastage.net/csm/profile/site/";
  sites->sites = {{"s-001", "Head Office", false, portal + "1", "29612345", "Head Office Ltd"},
                  {"s-002", "Branch \"North\"", false, portal + "2"},  // quotes must be escaped
                  {"s-003", "Test Lab", false, portal + "3"},          // excluded by the filter
                  {"s-004", "Pop-up Clinic", true, ""},                // on-demand; no portalUrl
                  {"s-005", "Deleted Devices", false, portal + "5"}};  // excluded by default
  account.sites = sites;

  auto devices = std::make_shared<DevicesData>();
  SiteDevices& head = devices->sites["s-001"];
  head.site_name = "Head Office (devices)";  // the sites data's name wins
  head.online_by_category = {{"Desktop", 3}, {"Server", 1}};
  head.offline_by_category = {{"Desktop", 1}};
  head.by_patch_status = {{"fully_patched", 3}, {"install_error", 1}, {"partially_patched", 1}};
  head.patches_approved_pending = 4;
  head.patches_not_approved = 2;
  head.patches_installed = 120;
  head.reboot_required = 1;
  head.by_antivirus_status = {
      {"running_and_up_to_date", 3}, {"not_running", 1}, {"quarantined", 1}};
  head.not_seen = {2, 1, 1};        // devices->stale_after: 1d, 7d, 30d
  head.by_warranty = {1, 1, 2, 1};  // expired, expiring, active, unknown
  head.by_state = {4, 1, 0};        // active, suspended, deleted
  head.by_udf_value = {{{"contract", ""}, 1},
                       {{"contract", "Gold"}, 3},
                       {{"contract", "Silver \"S\""}, 1}};  // quotes must be escaped
  SiteDevices& lab = devices->sites["s-003"];
  lab.site_name = "Test Lab";
  lab.online_by_category = {{"Desktop", 2}};
  lab.by_patch_status = {{"fully_patched", 2}};
  lab.by_antivirus_status = {{"running_and_up_to_date", 2}};
  SiteDevices& clinic = devices->sites["s-004"];
  clinic.site_name = "Pop-up Clinic";
  clinic.online_by_category = {{"Network Device", 1}};
  clinic.by_patch_status = {{"not_applicable", 1}};
  clinic.by_antivirus_status = {{"not_applicable", 1}};
  SiteDevices& fresh = devices->sites["s-006"];  // not yet in the sites data
  fresh.site_name = "New Site";
  fresh.offline_by_category = {{"Laptop", 1}};
  fresh.by_patch_status = {{"no_policy", 1}};
  fresh.by_antivirus_status = {{"not_detected", 1}};
  devices->devices = {
      {"d-001", "HO-PC-01", "s-001", "Head Office (devices)", "Desktop", "device", "Windows 11 Pro",
       true, 1767225500.25, 2, true},
      {"d-002", "HO-SRV-01", "s-001", "Head Office (devices)", "Server", "device",
       "Windows Server 2022", true, 1767225510, 0, false},
      {"d-003", "LAB-PC-01", "s-003", "Test Lab", "Desktop", "device", "Windows 10", true,
       1767225000, 1, false},
      {"d-004", "new laptop", "s-006", "New Site", "Laptop", "device", "", false, std::nullopt, 0,
       false},
  };
  devices->devices[0].udf_values = {"Gold", "alice"};
  devices->devices[1].udf_values = {"Gold", ""};
  devices->device_count = 9;
  devices->device_rows_dropped = 3;
  devices->stale_after = {"1d", "7d", "30d"};
  devices->udf_labels = {"contract", "owner"};
  devices->udf_devices_dropped = {{"contract", 2}};
  account.devices = devices;

  auto alerts = std::make_shared<AlertsData>();
  SiteAlerts& head_alerts = alerts->sites["s-001"];
  head_alerts.site_name = "Head Office";
  head_alerts.unmuted.open_by_priority = {{"critical", 2}, {"high", 1}, {"urgent", 1}};
  head_alerts.unmuted.oldest_open_unix_by_priority = {{"critical", 1767000000.5},
                                                      {"high", 1767100000}};
  head_alerts.unmuted.open_by_priority_type = {{{"critical", "perf_disk_usage_ctx"}, 2},
                                               {{"high", "online_offline_status_ctx"}, 1},
                                               {{"urgent", "unknown"}, 1}};
  // Acknowledged in Datto: exported apart, with muted="true".
  head_alerts.muted.open_by_priority = {{"critical", 1}};
  head_alerts.muted.oldest_open_unix_by_priority = {{"critical", 1766000000}};
  head_alerts.muted.open_by_priority_type = {{{"critical", "perf_disk_usage_ctx"}, 1}};
  SiteAlerts& lab_alerts = alerts->sites["s-003"];
  lab_alerts.site_name = "Test Lab";
  lab_alerts.unmuted.open_by_priority = {{"low", 1}};
  lab_alerts.unmuted.oldest_open_unix_by_priority = {{"low", 1766900000}};
  lab_alerts.unmuted.open_by_priority_type = {{{"low", "patch_ctx"}, 1}};
  SiteAlerts& deleted_alerts = alerts->sites["s-005"];
  deleted_alerts.site_name = "Deleted Devices";
  deleted_alerts.unmuted.open_by_priority = {{"information", 1}};
  deleted_alerts.unmuted.open_by_priority_type = {{{"information", "eventlog_ctx"}, 1}};
  SiteAlerts& only_alerts = alerts->sites["s-007"];  // known to the alerts collector only
  only_alerts.site_name = "Alert Only Site";
  only_alerts.unmuted.open_by_priority = {{"moderate", 1}, {"critical", 1}};
  only_alerts.unmuted.oldest_open_unix_by_priority = {{"moderate", 1767200000},
                                                      {"critical", 1767210000}};
  only_alerts.unmuted.open_by_priority_type = {{{"moderate", "antivirus_ctx"}, 1},
                                               {{"critical", "perf_disk_usage_ctx"}, 1}};
  alerts->alert_count = 9;
  account.alerts = alerts;

  auto rate = std::make_shared<RateData>();
  rate->account_requests_in_window = 123;
  rate->account_rate_limit = 600;
  rate->account_cutoff_ratio = 0.9;
  rate->window_seconds = 60;
  account.rate = rate;
  return account;
}

AccountSnapshot Globex() {
  AccountSnapshot account;
  account.account = "globex";
  account.up = false;  // the last request failed; no token yet either
  account.collectors = {Collector("sites", true, true, 0.5, 1767225100),
                        // failed for longer than max_staleness: its data is gone (null)
                        Collector("devices", true, false, 30, 1767200000),
                        Collector("alerts", true, true, 0.25, 1767225500),
                        Collector("rate_status", false, false, 0, std::nullopt)};  // not run yet
  // site_filter null: every site, "Deleted Devices" included.
  auto sites = std::make_shared<SitesData>();
  sites->sites = {{"g-1", "Main", false, ""}, {"g-2", "Deleted Devices", false, ""}};
  account.sites = sites;
  auto alerts = std::make_shared<AlertsData>();
  SiteAlerts& main_alerts = alerts->sites["g-1"];
  main_alerts.site_name = "Main";
  main_alerts.unmuted.open_by_priority = {{"information", 3}};
  main_alerts.unmuted.oldest_open_unix_by_priority = {{"information", 1767000000}};
  main_alerts.unmuted.open_by_priority_type = {{{"information", "eventlog_ctx"}, 3}};
  alerts->alert_count = 3;
  account.alerts = alerts;
  return account;
}

}  // namespace

Snapshot GoldenSnapshot() {
  Snapshot snapshot;
  snapshot.accounts = {Acme(), Globex()};
  return snapshot;
}

}  // namespace drmm::testing
