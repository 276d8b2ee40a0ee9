#include "exporter/metrics/render.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "exporter/collect/site_filter.h"
#include "exporter/metrics/text_format.h"

namespace drmm {
namespace {

static_assert(kMetricCatalog[kSnapshotFamilyCount]->source == "exporter",
              "the snapshot families come first in the catalog, the exporter's own after them");

double AsGauge(std::int64_t count) { return static_cast<double>(count); }

template <typename Map>
std::int64_t CountOf(const Map& counts, std::string_view key) {
  const auto it = counts.find(std::string(key));
  return it == counts.end() ? 0 : it->second;
}

// Every value of `always` (at 0 when absent) and any other value the data holds, sorted by value
// as the series sort.
template <std::size_t N>
std::vector<std::pair<std::string_view, std::int64_t>> WithFixedValues(
    const std::array<std::string_view, N>& always,
    const std::map<std::string, std::int64_t>& counts) {
  std::vector<std::pair<std::string_view, std::int64_t>> values;
  values.reserve(N + counts.size());
  for (const auto value : always) values.emplace_back(value, CountOf(counts, value));
  for (const auto& [value, count] : counts) {
    if (std::find(always.begin(), always.end(), value) == always.end()) {
      values.emplace_back(value, count);
    }
  }
  std::sort(values.begin(), values.end());
  return values;
}

// One site as the three collectors see it; they refresh at different times, so a site may be
// known to some and not yet (or no longer) to others.
struct SiteView {
  std::string_view name;
  const SiteInfo* info = nullptr;  // from the sites data
  bool on_demand = false;          // false unless the (last known) sites data says otherwise
  bool in_sites = false;
  const SiteDevices* devices = nullptr;
  const SiteAlerts* alerts = nullptr;
  bool included = true;
};

std::map<std::string_view, SiteView> SiteViews(const AccountSnapshot& account) {
  std::map<std::string_view, SiteView> views;
  if (account.sites) {
    for (const auto& site : account.sites->sites) {
      auto& view = views[site.uid];
      view.name = site.name;
      view.info = &site;
      view.on_demand = site.on_demand;
      view.in_sites = true;
    }
  }
  if (account.devices) {
    for (const auto& [uid, devices] : account.devices->sites) {
      auto& view = views[uid];
      view.devices = &devices;
      if (view.name.empty()) view.name = devices.site_name;
    }
  }
  if (account.alerts) {
    for (const auto& [uid, alerts] : account.alerts->sites) {
      auto& view = views[uid];
      view.alerts = &alerts;
      if (view.name.empty()) view.name = alerts.site_name;
    }
  }
  if (account.site_filter) {
    // Stale sites data no longer names the sites, but which ones are on-demand rarely changes.
    if (!account.sites && account.last_known_sites) {
      for (const auto& site : account.last_known_sites->sites) {
        if (const auto it = views.find(site.uid); it != views.end()) {
          it->second.on_demand = site.on_demand;
        }
      }
    }
    for (auto& [uid, view] : views) {
      view.included = account.site_filter->Includes(uid, view.name, view.on_demand);
    }
  }
  return views;
}

// Writes one family of one account; a family the account's config leaves out gets nothing.
class AccountWriter {
 public:
  AccountWriter(FamilyTexts& texts, const AccountSnapshot& account, const FamilySet& families)
      : texts_(texts), wanted_(families) {
    for (const auto& name : account.excluded_metrics) {
      const MetricSpec* spec = FindMetric(name);
      if (spec != nullptr && CatalogIndex(*spec) < kSnapshotFamilyCount) {
        wanted_[CatalogIndex(*spec)] = false;
      }
    }
  }

  bool Wanted(const MetricSpec& spec) const { return wanted_[CatalogIndex(spec)]; }
  // Valid while this writer lives; callers check Wanted first.
  SeriesWriter Family(const MetricSpec& spec) { return {texts_[CatalogIndex(spec)], spec.name}; }

 private:
  FamilyTexts& texts_;
  FamilySet wanted_;  // asked for and not excluded by the account's config
};

void WriteAccountState(AccountWriter& out, const AccountSnapshot& account,
                       const LabelPrefix& base) {
  if (out.Wanted(kMetricUp)) out.Family(kMetricUp).BeginWith(base.text()).End(account.up ? 1 : 0);
  std::vector<const CollectorStatus*> collectors;
  for (const auto& collector : account.collectors) {
    if (collector.enabled) collectors.push_back(&collector);
  }
  std::sort(collectors.begin(), collectors.end(),
            [](const CollectorStatus* a, const CollectorStatus* b) { return a->name < b->name; });
  auto per_collector = [&](const MetricSpec& spec, auto has, auto value) {
    if (!out.Wanted(spec)) return;
    SeriesWriter series = out.Family(spec);
    for (const CollectorStatus* collector : collectors) {
      if (!has(*collector)) continue;
      series.BeginWith(base.text()).Label("collector", collector->name).End(value(*collector));
    }
  };
  per_collector(
      kMetricCollectorSuccess, [](const CollectorStatus&) { return true; },
      [](const CollectorStatus& c) { return c.last_success ? 1.0 : 0.0; });
  per_collector(
      kMetricCollectorDuration, [](const CollectorStatus& c) { return c.ran; },
      [](const CollectorStatus& c) { return c.last_duration_seconds; });
  per_collector(
      kMetricCollectorLastSuccess,
      [](const CollectorStatus& c) { return c.last_success_unix.has_value(); },
      [](const CollectorStatus& c) { return *c.last_success_unix; });
  // Always present for an enabled collector (0 when idle), so an alert needs no absent().
  per_collector(
      kMetricCollectorRunningSince, [](const CollectorStatus&) { return true; },
      [](const CollectorStatus& c) { return c.running_since_unix.value_or(0.0); });

  auto single = [&](const MetricSpec& spec, const std::optional<double>& value) {
    if (value && out.Wanted(spec)) out.Family(spec).BeginWith(base.text()).End(*value);
  };
  single(kMetricTokenExpiry, account.token_expiry_unix);
  single(kMetricBudget, account.budget_requests_per_minute);
  single(kMetricRequestsInWindow, account.requests_in_window);
  single(kMetricPollBudgetUtilization, account.poll_budget_utilization_ratio);
  if (const auto& rate = account.rate) {
    auto as_double = [](const std::optional<std::int64_t>& v) -> std::optional<double> {
      if (!v) return std::nullopt;
      return AsGauge(*v);
    };
    single(kMetricAccountRequestsInWindow, as_double(rate->account_requests_in_window));
    single(kMetricAccountRateLimit, as_double(rate->account_rate_limit));
  }
}

// Each of `values` with its count, sorted by value as the series sort.
template <std::size_t N>
std::vector<std::pair<std::string_view, std::int64_t>> SortedByValue(
    const std::array<std::string_view, N>& values, const std::array<std::int64_t, N>& counts) {
  std::vector<std::pair<std::string_view, std::int64_t>> sorted;
  for (std::size_t i = 0; i < N; ++i) sorted.emplace_back(values[i], counts[i]);
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

void WriteSiteDevices(AccountWriter& out, const std::string& site, const SiteDevices& devices,
                      const DevicesData& data) {
  if (out.Wanted(kMetricSiteDevices)) {
    // Both statuses for every category the site has, so "offline" reads 0 instead of vanishing.
    std::map<std::string_view, int> categories;
    for (const auto& [category, count] : devices.online_by_category) categories[category];
    for (const auto& [category, count] : devices.offline_by_category) categories[category];
    SeriesWriter series = out.Family(kMetricSiteDevices);
    for (const auto& [category, unused] : categories) {
      // "offline" sorts before "online".
      series.BeginWith(site).Label("category", category).Label("status", "offline");
      series.End(AsGauge(CountOf(devices.offline_by_category, category)));
      series.BeginWith(site).Label("category", category).Label("status", "online");
      series.End(AsGauge(CountOf(devices.online_by_category, category)));
    }
  }
  if (out.Wanted(kMetricSitePatchStatus)) {
    SeriesWriter series = out.Family(kMetricSitePatchStatus);
    for (const auto& [value, count] : WithFixedValues(kPatchStatuses, devices.by_patch_status)) {
      series.BeginWith(site).Label("patch_status", value).End(AsGauge(count));
    }
  }
  if (out.Wanted(kMetricSitePatches)) {
    SeriesWriter series = out.Family(kMetricSitePatches);
    series.BeginWith(site).Label("state", "approved_pending");
    series.End(AsGauge(devices.patches_approved_pending));
    series.BeginWith(site).Label("state", "installed").End(AsGauge(devices.patches_installed));
    series.BeginWith(site).Label("state", "not_approved");
    series.End(AsGauge(devices.patches_not_approved));
  }
  if (out.Wanted(kMetricSiteRebootRequired)) {
    out.Family(kMetricSiteRebootRequired).BeginWith(site).End(AsGauge(devices.reboot_required));
  }
  if (out.Wanted(kMetricSiteAntivirusStatus)) {
    SeriesWriter series = out.Family(kMetricSiteAntivirusStatus);
    for (const auto& [value, count] :
         WithFixedValues(kAntivirusStatuses, devices.by_antivirus_status)) {
      series.BeginWith(site).Label("antivirus_status", value).End(AsGauge(count));
    }
  }
  if (out.Wanted(kMetricSiteDevicesNotSeen)) {
    // Every configured age, at 0 for a site without devices; "1d" < "30d" < "7d" as text.
    std::vector<std::pair<std::string_view, std::int64_t>> ages;
    for (std::size_t i = 0; i < data.stale_after.size(); ++i) {
      ages.emplace_back(data.stale_after[i], i < devices.not_seen.size() ? devices.not_seen[i] : 0);
    }
    std::sort(ages.begin(), ages.end());
    SeriesWriter series = out.Family(kMetricSiteDevicesNotSeen);
    for (const auto& [age, count] : ages) {
      series.BeginWith(site).Label("older_than", age).End(AsGauge(count));
    }
  }
  if (out.Wanted(kMetricSiteDevicesWarranty)) {
    SeriesWriter series = out.Family(kMetricSiteDevicesWarranty);
    for (const auto& [state, count] : SortedByValue(kWarrantyStates, devices.by_warranty)) {
      series.BeginWith(site).Label("warranty", state).End(AsGauge(count));
    }
  }
  if (out.Wanted(kMetricSiteDevicesState)) {
    SeriesWriter series = out.Family(kMetricSiteDevicesState);
    for (const auto& [state, count] : SortedByValue(kDeviceStates, devices.by_state)) {
      series.BeginWith(site).Label("state", state).End(AsGauge(count));
    }
  }
  if (!devices.by_udf_value.empty() && out.Wanted(kMetricSiteDevicesUdf)) {
    SeriesWriter series = out.Family(kMetricSiteDevicesUdf);
    for (const auto& [key, count] : devices.by_udf_value) {  // sorted by (udf, value)
      series.BeginWith(site).Label("udf", key.first).Label("value", key.second).End(AsGauge(count));
    }
  }
}

void WriteSiteAlerts(AccountWriter& out, const std::string& site, const SiteAlerts* alerts) {
  static const AlertCounts kNone;
  const AlertCounts& unmuted = alerts != nullptr ? alerts->unmuted : kNone;
  const AlertCounts& muted = alerts != nullptr ? alerts->muted : kNone;
  if (out.Wanted(kMetricSiteAlertsOpen)) {
    // (priority, muted) in label order: every fixed priority in both states, and any other
    // priority in the state that has it.
    std::vector<std::tuple<std::string_view, bool, std::int64_t>> series_values;
    for (const bool is_muted : {false, true}) {
      const AlertCounts& counts = is_muted ? muted : unmuted;
      for (const auto& [priority, count] :
           WithFixedValues(kAlertPriorities, counts.open_by_priority)) {
        series_values.emplace_back(priority, is_muted, count);
      }
    }
    std::sort(series_values.begin(), series_values.end());
    SeriesWriter series = out.Family(kMetricSiteAlertsOpen);
    for (const auto& [priority, is_muted, count] : series_values) {
      series.BeginWith(site)
          .Label("priority", priority)
          .Label("muted", is_muted ? "true" : "false");
      series.End(AsGauge(count));
    }
  }
  if (alerts != nullptr && out.Wanted(kMetricSiteOldestOpenAlert)) {
    std::vector<std::tuple<std::string_view, bool, double>> series_values;
    for (const bool is_muted : {false, true}) {
      for (const auto& [priority, oldest] :
           (is_muted ? muted : unmuted).oldest_open_unix_by_priority) {
        series_values.emplace_back(priority, is_muted, oldest);
      }
    }
    std::sort(series_values.begin(), series_values.end());
    SeriesWriter series = out.Family(kMetricSiteOldestOpenAlert);
    for (const auto& [priority, is_muted, oldest] : series_values) {
      series.BeginWith(site)
          .Label("priority", priority)
          .Label("muted", is_muted ? "true" : "false");
      series.End(oldest);
    }
  }
}

void WriteDevices(AccountWriter& out, const AccountSnapshot& account,
                  const std::map<std::string_view, SiteView>& views, const LabelPrefix& base) {
  // The rows a site filter keeps, with the site name the site views agree on.
  struct Row {
    const DeviceRow* row;
    std::string_view site_name;
  };
  std::vector<Row> rows;
  rows.reserve(account.devices->devices.size());
  for (const auto& row : account.devices->devices) {  // sorted by uid
    const auto view = views.find(row.site_uid);
    if (view != views.end() && !view->second.included) continue;
    const std::string_view site_name = view != views.end() && !view->second.name.empty()
                                           ? view->second.name
                                           : std::string_view(row.site_name);
    rows.push_back({&row, site_name});
  }
  if (out.Wanted(kMetricDeviceInfo)) {
    const auto& udf_labels = account.devices->udf_labels;
    SeriesWriter series = out.Family(kMetricDeviceInfo);
    for (const auto& [row, site_name] : rows) {
      series.BeginWith(base.text())
          .Label("device_uid", row->uid)
          .Label("hostname", row->hostname)
          .Label("category", row->category)
          .Label("device_class", row->device_class)
          .Label("os", row->os)
          .Label("site_uid", row->site_uid)
          .Label("site", site_name);
      for (std::size_t i = 0; i < udf_labels.size(); ++i) {
        series.Label(udf_labels[i], i < row->udf_values.size() ? row->udf_values[i] : "");
      }
      series.End(1);
    }
  }
  // The per-device gauges carry site_uid before device_uid, so they sort by site first.
  std::vector<const DeviceRow*> by_site;
  by_site.reserve(rows.size());
  for (const auto& row : rows) by_site.push_back(row.row);
  std::stable_sort(by_site.begin(), by_site.end(), [](const DeviceRow* a, const DeviceRow* b) {
    return a->site_uid < b->site_uid;
  });
  auto per_device = [&](const MetricSpec& spec, auto has, auto value) {
    if (!out.Wanted(spec)) return;
    SeriesWriter series = out.Family(spec);
    for (const DeviceRow* row : by_site) {
      if (!has(*row)) continue;
      series.BeginWith(base.text())
          .Label("site_uid", row->site_uid)
          .Label("device_uid", row->uid)
          .End(value(*row));
    }
  };
  auto always = [](const DeviceRow&) { return true; };
  per_device(kMetricDeviceOnline, always, [](const DeviceRow& r) { return r.online ? 1.0 : 0.0; });
  per_device(
      kMetricDeviceLastSeen, [](const DeviceRow& r) { return r.last_seen_unix.has_value(); },
      [](const DeviceRow& r) { return *r.last_seen_unix; });
  per_device(kMetricDevicePatchesApprovedPending, always,
             [](const DeviceRow& r) { return AsGauge(r.patches_approved_pending); });
  per_device(kMetricDeviceRebootRequired, always,
             [](const DeviceRow& r) { return r.reboot_required ? 1.0 : 0.0; });
  if (out.Wanted(kMetricDeviceMetricsDropped)) {
    out.Family(kMetricDeviceMetricsDropped)
        .BeginWith(base.text())
        .End(AsGauge(account.devices->device_rows_dropped));
  }
}

}  // namespace

FamilyTexts RenderAccount(const AccountSnapshot& account, const FamilySet& families) {
  FamilyTexts texts;
  AccountWriter out(texts, account, families);
  LabelPrefix base;
  base.Label("account", account.account);
  WriteAccountState(out, account, base);

  const auto views = SiteViews(account);
  // (priority, type, muted) -> open alerts of the included sites
  std::map<std::tuple<std::string_view, std::string_view, bool>, std::int64_t>
      open_by_priority_type;
  static const SiteDevices kNoDevices;
  for (const auto& [uid, view] : views) {
    if (!view.included) continue;
    LabelPrefix site_prefix = base;
    site_prefix.Label("site_uid", uid).Label("site", view.name);
    const std::string& site = site_prefix.text();
    if (view.in_sites && out.Wanted(kMetricSiteInfo)) {
      out.Family(kMetricSiteInfo)
          .BeginWith(site)
          .Label("on_demand", view.on_demand ? "true" : "false")
          .Label("portal_url", view.info->portal_url)
          .Label("autotask_company_id", view.info->autotask_company_id)
          .Label("autotask_company_name", view.info->autotask_company_name)
          .End(1);
    }
    // Every site any collector knows gets the full set of each collector that has data, at 0
    // where that collector saw nothing of it: a site without devices or without open alerts
    // reads 0 instead of vanishing, so "== 0" and "absent" never mean different things.
    if (account.devices) {
      WriteSiteDevices(out, site, view.devices != nullptr ? *view.devices : kNoDevices,
                       *account.devices);
    }
    if (account.alerts) WriteSiteAlerts(out, site, view.alerts);
    if (view.alerts != nullptr) {
      for (const bool muted : {false, true}) {
        const AlertCounts& counts = muted ? view.alerts->muted : view.alerts->unmuted;
        for (const auto& [key, count] : counts.open_by_priority_type) {
          open_by_priority_type[{key.first, key.second, muted}] += count;
        }
      }
    }
  }
  if (out.Wanted(kMetricAlertsOpen)) {
    SeriesWriter series = out.Family(kMetricAlertsOpen);
    for (const auto& [key, count] : open_by_priority_type) {
      const auto& [priority, type, muted] = key;
      series.BeginWith(base.text())
          .Label("priority", priority)
          .Label("type", type)
          .Label("muted", muted ? "true" : "false")
          .End(AsGauge(count));
    }
  }
  if (account.devices && out.Wanted(kMetricUdfDevicesDropped)) {
    SeriesWriter series = out.Family(kMetricUdfDevicesDropped);
    for (const auto& [udf, dropped] : account.devices->udf_devices_dropped) {
      series.BeginWith(base.text()).Label("udf", udf).End(AsGauge(dropped));
    }
  }
  if (account.device_metrics && account.devices) WriteDevices(out, account, views, base);
  return texts;
}

const std::string& SnapshotFamilyHeader(std::size_t index) {
  static const std::array<std::string, kSnapshotFamilyCount> kHeaders = [] {
    std::array<std::string, kSnapshotFamilyCount> headers;
    for (std::size_t i = 0; i < kSnapshotFamilyCount; ++i) {
      const MetricSpec& spec = *kMetricCatalog[i];
      headers[i] = FamilyHeader(spec.name, spec.help, TypeName(spec.type));
    }
    return headers;
  }();
  return kHeaders.at(index);
}

std::string RenderSnapshotText(const Snapshot& snapshot) {
  std::vector<const AccountSnapshot*> accounts;
  for (const auto& account : snapshot.accounts) accounts.push_back(&account);
  std::stable_sort(
      accounts.begin(), accounts.end(),
      [](const AccountSnapshot* a, const AccountSnapshot* b) { return a->account < b->account; });
  std::vector<FamilyTexts> rendered;
  rendered.reserve(accounts.size());
  for (const AccountSnapshot* account : accounts) rendered.push_back(RenderAccount(*account));
  std::string out;
  for (std::size_t family = 0; family < kSnapshotFamilyCount; ++family) {
    bool header = false;
    for (const auto& texts : rendered) {
      if (texts[family].empty()) continue;
      if (!header) out += SnapshotFamilyHeader(family);
      header = true;
      out += texts[family];
    }
  }
  return out;
}

}  // namespace drmm
