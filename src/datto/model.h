// Plain structs for what the Datto RMM API returns, decoded leniently: live responses carry nulls
// for any field, so nearly everything is optional, and enum-like fields stay strings because
// Datto adds values without notice (an unknown value must not break a poll).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace drmm::datto {

struct DevicesStatus {
  std::optional<std::int64_t> number_of_devices;
  std::optional<std::int64_t> number_of_online_devices;
  std::optional<std::int64_t> number_of_offline_devices;
};

struct Site {
  std::string uid;  // empty when the API sent none (such a site is skipped and reported)
  std::string name;
  std::optional<std::int64_t> id;
  std::optional<bool> on_demand;
  std::optional<std::string> portal_url;  // the site's page in the Datto RMM web portal
  DevicesStatus devices_status;
  // The PSA (Autotask) company linked to the site; absent when not linked. Decoded only when
  // DecodeOptions::site_autotask asks for them.
  std::optional<std::string> autotask_company_id;
  std::optional<std::string> autotask_company_name;
};

struct PatchManagement {
  std::optional<std::string> patch_status;  // NoPolicy, NoData, RebootRequired, ... or new
  std::optional<std::int64_t> patches_approved_pending;
  std::optional<std::int64_t> patches_not_approved;
  std::optional<std::int64_t> patches_installed;
};

struct Antivirus {
  std::optional<std::string> antivirus_product;
  std::optional<std::string> antivirus_status;  // RunningAndUpToDate, ... or new
};

struct Device {
  std::string uid;
  std::string site_uid;
  std::string site_name;
  std::string hostname;
  std::optional<std::int64_t> id;
  std::optional<std::string> category;      // deviceType.category, free text
  std::optional<std::string> device_class;  // device, printer, esxihost, ... or new
  std::optional<std::string> operating_system;
  std::optional<bool> online;
  std::optional<bool> reboot_required;
  std::optional<bool> suspended;
  std::optional<bool> deleted;
  // Absent when the API sent null or the "never" sentinel (-62135596800000 / 0001-01-01).
  std::optional<WallTime> last_seen;
  std::optional<WallTime> last_reboot;
  std::optional<WallTime> last_audit_date;
  std::optional<WallTime> creation_date;
  std::optional<PatchManagement> patch_management;  // null on printers, network devices
  std::optional<Antivirus> antivirus;               // likewise
  // Decoded only when DecodeOptions asks (device_warranty, device_udfs), so the common walk
  // skips them. warrantyDate (a date or date-time string) is read like the other timestamps.
  std::optional<WallTime> warranty_date;
  // (n, value of udf<n>) for the requested UDF numbers whose value is a string, by n.
  std::vector<std::pair<int, std::string>> udfs;
};

struct Alert {
  std::string alert_uid;
  std::optional<std::string> priority;     // Critical, High, Moderate, Low, Information, Unknown
  std::optional<std::string> alert_class;  // alertContext["@class"], e.g. perf_disk_usage_ctx
  std::optional<WallTime> timestamp;       // epoch milliseconds on the wire
  std::optional<bool> muted;
  std::optional<bool> resolved;
  std::string site_uid;    // alertSourceInfo.siteUid
  std::string site_name;   // alertSourceInfo.siteName
  std::string device_uid;  // alertSourceInfo.deviceUid
  std::string device_name;
};

struct RateStatus {
  std::optional<std::int64_t> sliding_window_seconds;
  std::string account_uid;
  std::optional<std::int64_t> account_count;       // reads used by the whole account in the window
  std::optional<std::int64_t> account_rate_limit;  // 600
  std::optional<double> account_cutoff_ratio;      // 0.9: above this the API delays responses
};

struct AccountDevicesStatus {
  std::optional<std::int64_t> number_of_devices;
  std::optional<std::int64_t> number_of_online_devices;
  std::optional<std::int64_t> number_of_offline_devices;
  std::optional<std::int64_t> number_of_on_demand_devices;
  std::optional<std::int64_t> number_of_managed_devices;
};

struct Account {
  std::optional<std::int64_t> id;
  std::string uid;
  std::string name;
  AccountDevicesStatus devices_status;
};

struct PageDetails {
  std::optional<std::int64_t> count;
  std::optional<std::int64_t> total_count;  // absent on open alerts
  std::optional<std::string> prev_page_url;
  std::optional<std::string> next_page_url;  // null, empty or absent on the last page
};

template <typename Item>
struct Page {
  std::vector<Item> items;
  PageDetails details;
};

}  // namespace drmm::datto
