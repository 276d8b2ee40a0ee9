// The simulated account as plain data: sites, devices and open alerts carrying every property the
// API serves (optional wherever live responses hold nulls), plus lookup indexes. A published
// AccountState is never modified: churn builds a new one that shares the unchanged items, so a
// request renders from its own consistent state without holding any lock.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace drmm::sim {

inline constexpr std::string_view kDeletedDevicesSiteName = "Deleted Devices";

struct ProxySettingsData {
  std::optional<std::string> host;
  std::optional<std::string> password;
  std::optional<std::int64_t> port;
  std::optional<std::string> type;  // http, socks4, socks5
  std::optional<std::string> username;
};

struct SimSite {
  std::int64_t id = 0;
  std::string uid;
  std::string name;
  std::optional<std::string> description;
  std::optional<std::string> notes;
  std::optional<bool> on_demand;
  std::optional<bool> splashtop_auto_install;
  std::optional<ProxySettingsData> proxy_settings;
  std::optional<std::string> autotask_company_name;
  std::optional<std::string> autotask_company_id;

  bool IsDeletedDevicesSite() const { return name == kDeletedDevicesSiteName; }
};

struct DeviceTypeData {
  std::optional<std::string> category;  // free text: Desktop, Laptop, Server, Printer, ...
  std::optional<std::string> type;
};

struct PatchManagementData {
  std::optional<std::string> patch_status;
  std::optional<std::int64_t> patches_approved_pending;
  std::optional<std::int64_t> patches_not_approved;
  std::optional<std::int64_t> patches_installed;
};

struct AntivirusData {
  std::optional<std::string> antivirus_product;
  std::optional<std::string> antivirus_status;
};

struct SimDevice {
  std::int64_t id = 0;
  std::string uid;
  std::string site_uid;  // siteId and siteName are looked up from the site when rendered
  std::optional<DeviceTypeData> device_type;
  std::optional<std::string> hostname;
  std::optional<std::string> int_ip_address;
  std::optional<std::string> operating_system;
  std::optional<std::string> last_logged_in_user;
  std::optional<std::string> domain;
  std::optional<std::string> cag_version;
  std::optional<std::string> display_version;
  std::optional<std::string> ext_ip_address;
  std::optional<std::string> description;
  std::optional<bool> a64_bit;
  std::optional<bool> reboot_required;
  std::optional<bool> online;
  std::optional<bool> suspended;
  std::optional<bool> deleted;
  // Epoch milliseconds (kNeverMillis for "never"); rendered as numbers or ISO strings.
  std::optional<std::int64_t> last_seen;
  std::optional<std::int64_t> last_reboot;
  std::optional<std::int64_t> last_audit_date;
  std::optional<std::int64_t> creation_date;
  // The few non-null user-defined fields, sorted by number (1..300); the rest are null.
  std::vector<std::pair<int, std::string>> udf;
  std::optional<bool> snmp_enabled;
  std::optional<std::string> device_class;  // device, printer, esxihost, rmmnetworkdevice, ...
  std::optional<std::string> warranty_date;
  std::optional<AntivirusData> antivirus;               // null on printers and network devices
  std::optional<PatchManagementData> patch_management;  // likewise
  std::optional<std::string> software_status;
  std::optional<bool> network_probe;
  std::optional<bool> onboarded_via_network_monitor;
};

struct ResponseActionData {
  std::optional<std::int64_t> action_time;  // epoch ms
  std::optional<std::string> action_type;
  std::optional<std::string> description;
  std::optional<std::string> action_reference;
  std::optional<std::string> action_reference_int;
};

struct SimAlert {
  std::string alert_uid;
  std::optional<std::string> priority;  // Critical, High, Moderate, Low, Information, Unknown
  std::optional<std::string> diagnostics;
  std::optional<bool> muted;
  std::optional<std::string> ticket_number;
  std::optional<std::int64_t> timestamp;  // epoch ms
  std::optional<bool> sends_emails;       // alertMonitorInfo
  std::optional<bool> creates_ticket;
  std::optional<std::string> context_class;  // alertContext["@class"] when it is a string
  std::string context_json = "null";         // the whole alertContext, pre-rendered
  std::optional<std::string> device_uid;     // alertSourceInfo
  std::optional<std::string> device_name;
  std::optional<std::string> site_uid;
  std::optional<std::string> site_name;
  std::vector<ResponseActionData> response_actions;
  std::optional<std::int64_t> autoresolve_mins;
};

struct AccountInfo {
  std::int64_t id = 0;
  std::string uid;
  std::string name;
  std::optional<std::string> billing_email;
  std::optional<std::int64_t> device_limit;
  std::optional<std::string> time_zone;
  std::optional<std::string> currency;
  std::string platform = "zinfandel";  // used in portal URLs
};

using Positions = std::vector<std::size_t>;

struct SiteIndex {
  std::unordered_map<std::string, std::size_t> by_uid;
};
struct DeviceIndex {
  std::unordered_map<std::string, std::size_t> by_uid;
  std::unordered_map<std::string, Positions> by_site;  // in serving order
};
struct AlertIndex {
  std::unordered_map<std::string, Positions> by_site;  // alertSourceInfo.siteUid
};

struct AccountState {
  AccountInfo account;
  // Serving order: sites and devices by id, open alerts newest first.
  std::vector<std::shared_ptr<const SimSite>> sites;
  std::vector<std::shared_ptr<const SimDevice>> devices;
  std::vector<std::shared_ptr<const SimAlert>> alerts;
  // Rebuilt only when membership changes, shared between states otherwise.
  std::shared_ptr<const SiteIndex> site_index;
  std::shared_ptr<const DeviceIndex> device_index;
  std::shared_ptr<const AlertIndex> alert_index;
  std::int64_t next_site_id = 1;
  std::int64_t next_device_id = 1;

  const SimSite* FindSite(const std::string& uid) const;
  const SimDevice* FindDevice(const std::string& uid) const;
  const Positions& DevicesOfSite(const std::string& site_uid) const;
  const Positions& AlertsOfSite(const std::string& site_uid) const;
};

void RebuildSiteIndex(AccountState& state);
void RebuildDeviceIndex(AccountState& state);
void RebuildAlertIndex(AccountState& state);
void RebuildIndexes(AccountState& state);

// Newest first; alerts without a timestamp last; ties by uid so the order is deterministic.
bool AlertServedBefore(const SimAlert& a, const SimAlert& b);
void SortAlerts(std::vector<std::shared_ptr<const SimAlert>>& alerts);

}  // namespace drmm::sim
