#include "sim/ground_truth.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "sim/labels.h"
#include "sim/render.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

using Counts = std::map<std::string, std::int64_t>;

constexpr std::array<std::string_view, 3> kStaleAgeLabels = {"1d", "7d", "30d"};
constexpr std::array<std::string_view, 4> kWarrantyLabels = {"expired", "expiring", "active",
                                                             "unknown"};
constexpr std::array<std::string_view, 3> kDeviceStateLabels = {"active", "suspended", "deleted"};

Counts WithFixedKeys(const auto& keys) {
  Counts counts;
  for (std::string_view key : keys) counts.emplace(std::string(key), 0);
  return counts;
}

struct SiteFigures {
  const SimSite* site = nullptr;
  std::int64_t devices_total = 0;
  Counts online_by_category;
  Counts offline_by_category;
  Counts patch_status = WithFixedKeys(kPatchStatusLabels);
  std::int64_t patches_approved_pending = 0;
  std::int64_t patches_not_approved = 0;
  std::int64_t patches_installed = 0;
  std::int64_t reboot_required = 0;
  Counts antivirus_status = WithFixedKeys(kAntivirusStatusLabels);
  // Per muted state ("false", "true"), as the exporter splits them.
  std::map<std::string, Counts> alerts_open = {{"false", WithFixedKeys(kPriorityLabels)},
                                               {"true", WithFixedKeys(kPriorityLabels)}};
  std::map<std::string, std::map<std::string, Counts>> alerts_open_by_type = {{"false", {}},
                                                                              {"true", {}}};
  std::map<std::string, std::map<std::string, double>> oldest_open = {{"false", {}}, {"true", {}}};
  Counts not_seen = WithFixedKeys(kStaleAgeLabels);
  Counts warranty = WithFixedKeys(kWarrantyLabels);
  Counts state = WithFixedKeys(kDeviceStateLabels);
  std::map<int, Counts> udf_values;  // udf number -> value ("" unset) -> devices
};

constexpr std::int64_t kDayMillis = 86'400'000;
constexpr std::array<std::int64_t, 3> kStaleAgeDays = {1, 7, 30};
constexpr std::int64_t kWarrantyHorizonDays = 30;

// warrantyDate as the exporter reads it: a date is midnight UTC, a date-time as written.
std::optional<std::int64_t> WarrantyMillis(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  if (text->size() == 10) return ParseIsoMillis(*text + "T00:00:00Z");
  return ParseIsoMillis(*text);
}

nlohmann::json ToJson(const Counts& counts) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : counts) j[k] = v;
  return j;
}

}  // namespace

nlohmann::json ComputeGroundTruth(const AccountState& state, int page_size, int alerts_page_size,
                                  std::int64_t now_ms) {
  std::map<std::string, SiteFigures> sites;  // sorted by uid, as the output must be
  for (const auto& site : state.sites) sites[site->uid].site = site.get();
  // Every UDF set on any device gets a count at every site, unset devices under "".
  std::set<int> udfs_set;
  for (const auto& device : state.devices) {
    for (const auto& [n, value] : device->udf) udfs_set.insert(n);
  }

  std::int64_t devices = 0;
  std::int64_t online = 0;
  for (const auto& device_ptr : state.devices) {
    const SimDevice& d = *device_ptr;
    ++devices;
    const bool is_online = d.online.value_or(false);
    if (is_online) ++online;
    const auto it = sites.find(d.site_uid);
    if (it == sites.end()) continue;  // not reachable: devices always belong to a site
    SiteFigures& f = it->second;
    ++f.devices_total;
    ++(is_online ? f.online_by_category : f.offline_by_category)[CategoryLabel(d)];
    ++f.patch_status[PatchStatusLabel(d)];
    if (d.patch_management) {
      f.patches_approved_pending += d.patch_management->patches_approved_pending.value_or(0);
      f.patches_not_approved += d.patch_management->patches_not_approved.value_or(0);
      f.patches_installed += d.patch_management->patches_installed.value_or(0);
    }
    if (d.reboot_required.value_or(false)) ++f.reboot_required;
    ++f.antivirus_status[AntivirusStatusLabel(d)];

    const bool never = !d.last_seen || *d.last_seen == kNeverMillis;
    for (std::size_t i = 0; i < kStaleAgeDays.size(); ++i) {
      if (never || *d.last_seen < now_ms - kStaleAgeDays[i] * kDayMillis) {
        ++f.not_seen[std::string(kStaleAgeLabels[i])];
      }
    }
    const auto warranty = WarrantyMillis(d.warranty_date);
    ++f.warranty[!warranty                                                 ? "unknown"
                 : *warranty <= now_ms                                     ? "expired"
                 : *warranty <= now_ms + kWarrantyHorizonDays * kDayMillis ? "expiring"
                                                                           : "active"];
    ++f.state[d.deleted.value_or(false)     ? "deleted"
              : d.suspended.value_or(false) ? "suspended"
                                            : "active"];
    for (const int n : udfs_set) {
      const auto set =
          std::find_if(d.udf.begin(), d.udf.end(), [n](const auto& udf) { return udf.first == n; });
      ++f.udf_values[n][set == d.udf.end() ? "" : set->second];
    }
  }

  for (const auto& alert_ptr : state.alerts) {
    const SimAlert& a = *alert_ptr;
    if (!a.site_uid) continue;
    const auto it = sites.find(*a.site_uid);
    if (it == sites.end()) continue;
    SiteFigures& f = it->second;
    const std::string priority = PriorityLabel(a);
    const std::string muted = a.muted.value_or(false) ? "true" : "false";
    ++f.alerts_open[muted][priority];
    ++f.alerts_open_by_type[muted][priority][AlertTypeLabel(a)];
    if (a.timestamp) {
      const double seconds = static_cast<double>(*a.timestamp) / 1000.0;
      auto [oldest, inserted] = f.oldest_open[muted].emplace(priority, seconds);
      if (!inserted) oldest->second = std::min(oldest->second, seconds);
    }
  }

  nlohmann::json out;
  out["page_size"] = page_size;
  out["alerts_page_size"] = alerts_page_size;
  out["totals"] = {{"sites", state.sites.size()},
                   {"devices", devices},
                   {"devices_online", online},
                   {"devices_offline", devices - online},
                   {"open_alerts", state.alerts.size()}};
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [uid, f] : sites) {
    nlohmann::json alerts_open = nlohmann::json::object();
    nlohmann::json by_type = nlohmann::json::object();
    nlohmann::json oldest = nlohmann::json::object();
    for (const char* muted : {"false", "true"}) {
      alerts_open[muted] = ToJson(f.alerts_open.at(muted));
      by_type[muted] = nlohmann::json::object();
      for (const auto& [priority, types] : f.alerts_open_by_type.at(muted)) {
        by_type[muted][priority] = ToJson(types);
      }
      oldest[muted] = nlohmann::json::object();
      for (const auto& [priority, seconds] : f.oldest_open.at(muted)) {
        oldest[muted][priority] = seconds;
      }
    }
    nlohmann::json udf_values = nlohmann::json::object();
    for (const int n : udfs_set) {
      const auto it = f.udf_values.find(n);
      udf_values["udf" + std::to_string(n)] =
          it == f.udf_values.end() ? nlohmann::json::object() : ToJson(it->second);
    }
    list.push_back({
        {"uid", uid},
        {"name", f.site->name},
        {"on_demand", f.site->on_demand.value_or(false)},
        {"deleted_devices_site", f.site->IsDeletedDevicesSite()},
        {"devices_total", f.devices_total},
        {"devices_online_by_category", ToJson(f.online_by_category)},
        {"devices_offline_by_category", ToJson(f.offline_by_category)},
        {"patch_status", ToJson(f.patch_status)},
        {"patches",
         {{"approved_pending", f.patches_approved_pending},
          {"not_approved", f.patches_not_approved},
          {"installed", f.patches_installed}}},
        {"reboot_required", f.reboot_required},
        {"antivirus_status", ToJson(f.antivirus_status)},
        {"portal_url", SitePortalUrl(state, *f.site)},
        {"autotask_company_id", f.site->autotask_company_id.value_or("")},
        {"autotask_company_name", f.site->autotask_company_name.value_or("")},
        {"devices_not_seen", ToJson(f.not_seen)},
        {"devices_warranty", ToJson(f.warranty)},
        {"devices_state", ToJson(f.state)},
        {"devices_by_udf", std::move(udf_values)},
        {"alerts_open", std::move(alerts_open)},
        {"alerts_open_by_type", std::move(by_type)},
        {"oldest_open_alert_timestamp_seconds", std::move(oldest)},
    });
  }
  out["sites"] = std::move(list);
  return out;
}

}  // namespace drmm::sim
