// What the exporter knows about its accounts at one moment: per-site aggregates folded from the
// API's page walks, plus each collector's health. The poller publishes a new immutable Snapshot
// after every collector run; /metrics renders the current one (BuildFamilies), so a scrape never
// sees a half-finished update. Aggregates cover every site the API returned; the account's
// SiteFilter is applied when metrics are built.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exporter/config/collectors.h"

namespace drmm {

class SiteFilter;

// Label values, normalised from Datto's enums to snake_case. Every value listed here is exported
// (at 0 when nothing has it) so that dashboards and alerts never see a series vanish; a value
// Datto adds later is exported under its snake_case form as well.
inline constexpr std::array<std::string_view, 6> kAlertPriorities = {
    "critical", "high", "moderate", "low", "information", "unknown"};
inline constexpr std::array<std::string_view, 7> kPatchStatuses = {
    "fully_patched", "approved_pending", "install_error", "reboot_required",
    "no_policy",     "no_data",          "not_applicable"};
inline constexpr std::array<std::string_view, 5> kAntivirusStatuses = {
    "running_and_up_to_date", "running_and_not_up_to_date", "not_running", "not_detected",
    "not_applicable"};
// A device's warrantyDate against now and the warranty horizon: passed, ends within the
// horizon, ends later, or not known.
inline constexpr std::array<std::string_view, 4> kWarrantyStates = {"expired", "expiring", "active",
                                                                    "unknown"};
// What an MSP pays for: deleted wins over suspended; every other device is active.
inline constexpr std::array<std::string_view, 3> kDeviceStates = {"active", "suspended", "deleted"};

struct SiteInfo {
  std::string uid;
  std::string name;
  bool on_demand = false;
  std::string portal_url;  // the site's page in Datto's web portal; empty when the API sent none
  // The linked Autotask (PSA) company; empty when the site is not linked.
  std::string autotask_company_id{};
  std::string autotask_company_name{};
};

struct SitesData {
  std::vector<SiteInfo> sites;  // sorted by uid
};

// Device counts of one site.
struct SiteDevices {
  std::string site_name;                                   // from the devices' siteName
  std::map<std::string, std::int64_t> online_by_category;  // deviceType.category
  std::map<std::string, std::int64_t> offline_by_category;
  std::map<std::string, std::int64_t> by_patch_status;  // kPatchStatuses or new values
  std::int64_t patches_approved_pending = 0;
  std::int64_t patches_not_approved = 0;
  std::int64_t patches_installed = 0;
  std::int64_t reboot_required = 0;                         // devices with rebootRequired
  std::map<std::string, std::int64_t> by_antivirus_status;  // kAntivirusStatuses or new
  // Devices not seen for longer than each of DevicesData::stale_after (never seen: all of them).
  std::vector<std::int64_t> not_seen{};
  std::array<std::int64_t, kWarrantyStates.size()> by_warranty{};
  std::array<std::int64_t, kDeviceStates.size()> by_state{};
  // (UDF label, value) -> devices, for the UDF labels with site counts; value "" when unset.
  std::map<std::pair<std::string, std::string>, std::int64_t> by_udf_value{};
};

// One device, kept only when per-device metrics are enabled.
struct DeviceRow {
  std::string uid;
  std::string hostname;
  std::string site_uid;
  std::string site_name;
  std::string category;
  std::string device_class;
  std::string os;
  bool online = false;
  std::optional<double> last_seen_unix;
  std::int64_t patches_approved_pending = 0;
  bool reboot_required = false;
  std::vector<std::string> udf_values{};  // one per DevicesData::udf_labels; "" when unset
};

struct DevicesData {
  std::map<std::string, SiteDevices> sites;  // by site uid
  std::vector<DeviceRow> devices;            // sorted by uid; empty unless enabled
  std::int64_t device_count = 0;             // every device folded into `sites`
  // Devices that per-device metrics selected but max_devices left out (the rows kept are the
  // max_devices smallest uids, so the same devices stay in from one walk to the next).
  std::int64_t device_rows_dropped = 0;
  // The stale ages as the older_than label shows them ("1d", "7d", "30d"), ascending.
  std::vector<std::string> stale_after{};
  std::vector<std::string> udf_labels{};  // label names on the device rows, sorted
  // UDF label -> devices left out of the site counts by max_udf_values (every label with
  // site counts, at 0 when nothing was cut).
  std::map<std::string, std::int64_t> udf_devices_dropped{};
};

// Open alerts of one site that share a muted state.
struct AlertCounts {
  std::map<std::string, std::int64_t> open_by_priority;  // kAlertPriorities or new values
  std::map<std::string, double> oldest_open_unix_by_priority;
  // (priority, type) -> count, type = alertContext["@class"] or "unknown".
  std::map<std::pair<std::string, std::string>, std::int64_t> open_by_priority_type;
};

// Open alerts of one site, apart by muted state: a muted alert is still open in Datto, but
// someone has acknowledged it, so alert rules count only the unmuted ones.
struct SiteAlerts {
  std::string site_name;
  AlertCounts unmuted;  // muted false or null
  AlertCounts muted;
};

struct AlertsData {
  std::map<std::string, SiteAlerts> sites;  // by site uid
  std::int64_t alert_count = 0;             // every alert folded into `sites`
};

// The last /system/request_rate answer.
struct RateData {
  std::optional<std::int64_t> account_requests_in_window;
  std::optional<std::int64_t> account_rate_limit;
  std::optional<double> account_cutoff_ratio;
  std::optional<std::int64_t> window_seconds;
};

struct CollectorStatus {
  std::string name;  // the collector's name (collectors.h)
  bool enabled = true;
  bool ran = false;           // at least one run finished (successfully or not)
  bool last_success = false;  // the most recent run succeeded
  double last_duration_seconds = 0;
  std::optional<double> last_success_unix;
  // When the run in progress started; nullopt while the collector waits for its next run.
  std::optional<double> running_since_unix;
};

struct AccountSnapshot {
  std::string account;  // the `account` label
  // 1 when the most recent request to the account's API (any collector) got through
  // authentication and returned data; 0 before the first success or after a failure.
  bool up = false;
  std::optional<double> token_expiry_unix;
  std::vector<CollectorStatus> collectors;  // in kAllCollectors order
  // Null until the collector first succeeds, and again once its last success is older than
  // max_staleness (its series then disappear instead of freezing).
  std::shared_ptr<const SitesData> sites;
  std::shared_ptr<const DevicesData> devices;
  std::shared_ptr<const AlertsData> alerts;
  std::shared_ptr<const RateData> rate;
  // The latest sites data even when `sites` has gone stale: read only for which sites are
  // on-demand, so the site filter keeps hiding them while the sites collector fails.
  std::shared_ptr<const SitesData> last_known_sites;
  std::shared_ptr<const SiteFilter> site_filter;  // null: every site is included
  bool device_metrics = false;                    // per-device series on (see DeviceRow)
  std::vector<std::string> excluded_metrics;      // families the config leaves out, by name
  // Live read-outs of the account's request governor and schedule, exported when set:
  // the exporter's own budget, its own requests in the sliding window, and planned requests
  // per minute over that budget (> 1 means intervals are being stretched).
  std::optional<double> budget_requests_per_minute;
  std::optional<double> requests_in_window;
  std::optional<double> poll_budget_utilization_ratio;
  // When data served now turns stale (its collector's last success plus max_staleness): the
  // exposition renders the account again then, so the data disappears on time.
  std::optional<std::chrono::steady_clock::time_point> next_stale_at;
};

struct Snapshot {
  std::vector<AccountSnapshot> accounts;  // in config order
};

}  // namespace drmm
