#include "reference_families.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "exporter/catalog/catalog.h"
#include "exporter/collect/site_filter.h"

namespace drmm::testing {
namespace {

using Labels = std::vector<prometheus::ClientMetric::Label>;

// The families BuildFamilies can emit, pre-created in catalog order.
class FamilySet {
 public:
  FamilySet() {
    families_.reserve(kMetricCatalog.size());
    for (const MetricSpec* spec : kMetricCatalog) {
      prometheus::MetricFamily family;
      family.name = spec->name;
      family.help = spec->help;
      family.type = spec->type;
      families_.push_back(std::move(family));
    }
  }

  prometheus::MetricFamily& operator[](const MetricSpec& spec) {
    const auto* const it = std::find(kMetricCatalog.begin(), kMetricCatalog.end(), &spec);
    return families_[static_cast<std::size_t>(it - kMetricCatalog.begin())];
  }

  std::vector<prometheus::MetricFamily> Finish() && {
    std::vector<prometheus::MetricFamily> out;
    for (auto& family : families_) {
      if (family.metric.empty()) continue;
      std::sort(family.metric.begin(), family.metric.end(),
                [](const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
                  return a.label < b.label;
                });
      out.push_back(std::move(family));
    }
    return out;
  }

 private:
  std::vector<prometheus::MetricFamily> families_;
};

void AddGauge(prometheus::MetricFamily& family, Labels labels, double value) {
  prometheus::ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

Labels With(Labels labels, std::string name, std::string value) {
  labels.push_back({std::move(name), std::move(value)});
  return labels;
}

double AsGauge(std::int64_t count) { return static_cast<double>(count); }

template <typename Map>
std::int64_t CountOf(const Map& counts, std::string_view key) {
  const auto it = counts.find(std::string(key));
  return it == counts.end() ? 0 : it->second;
}

Labels Concat(Labels labels, const Labels& suffix) {
  labels.insert(labels.end(), suffix.begin(), suffix.end());
  return labels;
}

// Every value of `always` (at 0 when absent), then any other value the data holds; `suffix`
// labels follow the value's.
template <std::size_t N>
void AddByValue(prometheus::MetricFamily& family, const Labels& base, const std::string& label,
                const std::array<std::string_view, N>& always,
                const std::map<std::string, std::int64_t>& counts, const Labels& suffix = {}) {
  for (const auto value : always) {
    AddGauge(family, Concat(With(base, label, std::string(value)), suffix),
             AsGauge(CountOf(counts, value)));
  }
  for (const auto& [value, count] : counts) {
    if (std::find(always.begin(), always.end(), value) == always.end()) {
      AddGauge(family, Concat(With(base, label, value), suffix), AsGauge(count));
    }
  }
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

void AddAccountState(FamilySet& families, const AccountSnapshot& account, const Labels& base) {
  AddGauge(families[kMetricUp], base, account.up ? 1 : 0);
  for (const auto& collector : account.collectors) {
    if (!collector.enabled) continue;
    const Labels labels = With(base, "collector", collector.name);
    AddGauge(families[kMetricCollectorSuccess], labels, collector.last_success ? 1 : 0);
    if (collector.ran) {
      AddGauge(families[kMetricCollectorDuration], labels, collector.last_duration_seconds);
    }
    if (collector.last_success_unix) {
      AddGauge(families[kMetricCollectorLastSuccess], labels, *collector.last_success_unix);
    }
    AddGauge(families[kMetricCollectorRunningSince], labels,
             collector.running_since_unix.value_or(0.0));
  }
  if (account.token_expiry_unix) {
    AddGauge(families[kMetricTokenExpiry], base, *account.token_expiry_unix);
  }
  if (account.budget_requests_per_minute) {
    AddGauge(families[kMetricBudget], base, *account.budget_requests_per_minute);
  }
  if (account.requests_in_window) {
    AddGauge(families[kMetricRequestsInWindow], base, *account.requests_in_window);
  }
  if (account.poll_budget_utilization_ratio) {
    AddGauge(families[kMetricPollBudgetUtilization], base, *account.poll_budget_utilization_ratio);
  }
  if (const auto& rate = account.rate) {
    if (rate->account_requests_in_window) {
      AddGauge(families[kMetricAccountRequestsInWindow], base,
               AsGauge(*rate->account_requests_in_window));
    }
    if (rate->account_rate_limit) {
      AddGauge(families[kMetricAccountRateLimit], base, AsGauge(*rate->account_rate_limit));
    }
  }
}

void AddSiteDevices(FamilySet& families, const Labels& site, const SiteDevices& devices,
                    const DevicesData& data) {
  auto& by_category = families[kMetricSiteDevices];
  // Both statuses for every category the site has, so "offline" reads 0 instead of vanishing.
  std::map<std::string_view, int> categories;
  for (const auto& [category, count] : devices.online_by_category) categories[category];
  for (const auto& [category, count] : devices.offline_by_category) categories[category];
  for (const auto& [category, unused] : categories) {
    const Labels labels = With(site, "category", std::string(category));
    AddGauge(by_category, With(labels, "status", "online"),
             AsGauge(CountOf(devices.online_by_category, category)));
    AddGauge(by_category, With(labels, "status", "offline"),
             AsGauge(CountOf(devices.offline_by_category, category)));
  }
  AddByValue(families[kMetricSitePatchStatus], site, "patch_status", kPatchStatuses,
             devices.by_patch_status);
  auto& patches = families[kMetricSitePatches];
  AddGauge(patches, With(site, "state", "approved_pending"),
           AsGauge(devices.patches_approved_pending));
  AddGauge(patches, With(site, "state", "not_approved"), AsGauge(devices.patches_not_approved));
  AddGauge(patches, With(site, "state", "installed"), AsGauge(devices.patches_installed));
  AddGauge(families[kMetricSiteRebootRequired], site, AsGauge(devices.reboot_required));
  AddByValue(families[kMetricSiteAntivirusStatus], site, "antivirus_status", kAntivirusStatuses,
             devices.by_antivirus_status);
  for (std::size_t i = 0; i < data.stale_after.size(); ++i) {
    AddGauge(families[kMetricSiteDevicesNotSeen], With(site, "older_than", data.stale_after[i]),
             AsGauge(i < devices.not_seen.size() ? devices.not_seen[i] : 0));
  }
  for (std::size_t i = 0; i < kWarrantyStates.size(); ++i) {
    AddGauge(families[kMetricSiteDevicesWarranty],
             With(site, "warranty", std::string(kWarrantyStates[i])),
             AsGauge(devices.by_warranty[i]));
  }
  for (std::size_t i = 0; i < kDeviceStates.size(); ++i) {
    AddGauge(families[kMetricSiteDevicesState], With(site, "state", std::string(kDeviceStates[i])),
             AsGauge(devices.by_state[i]));
  }
  for (const auto& [key, count] : devices.by_udf_value) {
    AddGauge(families[kMetricSiteDevicesUdf],
             With(With(site, "udf", key.first), "value", key.second), AsGauge(count));
  }
}

void AddSiteAlerts(FamilySet& families, const Labels& site, const SiteAlerts* alerts) {
  static const AlertCounts kNone;
  for (const bool muted : {false, true}) {
    const AlertCounts& counts = alerts == nullptr ? kNone : muted ? alerts->muted : alerts->unmuted;
    const Labels muted_label = {{"muted", muted ? "true" : "false"}};
    AddByValue(families[kMetricSiteAlertsOpen], site, "priority", kAlertPriorities,
               counts.open_by_priority, muted_label);
    for (const auto& [priority, oldest] : counts.oldest_open_unix_by_priority) {
      AddGauge(families[kMetricSiteOldestOpenAlert],
               With(With(site, "priority", priority), "muted", muted_label.front().value), oldest);
    }
  }
}

void AddDevices(FamilySet& families, const AccountSnapshot& account,
                const std::map<std::string_view, SiteView>& views) {
  auto& info = families[kMetricDeviceInfo];
  auto& online = families[kMetricDeviceOnline];
  auto& last_seen = families[kMetricDeviceLastSeen];
  auto& approved_pending = families[kMetricDevicePatchesApprovedPending];
  auto& reboot_required = families[kMetricDeviceRebootRequired];
  for (const auto& row : account.devices->devices) {
    const auto view = views.find(row.site_uid);
    if (view != views.end() && !view->second.included) continue;
    const std::string site_name = view != views.end() && !view->second.name.empty()
                                      ? std::string(view->second.name)
                                      : row.site_name;
    Labels info_labels = {{"account", account.account},       {"device_uid", row.uid},
                          {"hostname", row.hostname},         {"category", row.category},
                          {"device_class", row.device_class}, {"os", row.os},
                          {"site_uid", row.site_uid},         {"site", site_name}};
    const auto& udf_labels = account.devices->udf_labels;
    for (std::size_t i = 0; i < udf_labels.size(); ++i) {
      info_labels.push_back({udf_labels[i], i < row.udf_values.size() ? row.udf_values[i] : ""});
    }
    AddGauge(info, std::move(info_labels), 1);
    const Labels labels = {
        {"account", account.account}, {"site_uid", row.site_uid}, {"device_uid", row.uid}};
    AddGauge(online, labels, row.online ? 1 : 0);
    if (row.last_seen_unix) AddGauge(last_seen, labels, *row.last_seen_unix);
    AddGauge(approved_pending, labels, AsGauge(row.patches_approved_pending));
    AddGauge(reboot_required, labels, row.reboot_required ? 1 : 0);
  }
  AddGauge(families[kMetricDeviceMetricsDropped], {{"account", account.account}},
           AsGauge(account.devices->device_rows_dropped));
}

void AddAccount(FamilySet& families, const AccountSnapshot& account) {
  const Labels base = {{"account", account.account}};
  AddAccountState(families, account, base);

  const auto views = SiteViews(account);
  // (priority, type, muted) -> open alerts of the included sites
  std::map<std::tuple<std::string_view, std::string_view, bool>, std::int64_t>
      open_by_priority_type;
  for (const auto& [uid, view] : views) {
    if (!view.included) continue;
    const Labels site = {{"account", account.account},
                         {"site_uid", std::string(uid)},
                         {"site", std::string(view.name)}};
    if (view.in_sites) {
      AddGauge(families[kMetricSiteInfo],
               With(With(With(With(site, "on_demand", view.on_demand ? "true" : "false"),
                              "portal_url", view.info->portal_url),
                         "autotask_company_id", view.info->autotask_company_id),
                    "autotask_company_name", view.info->autotask_company_name),
               1);
    }
    // Every site any collector knows gets the full set of each collector that has data, at 0
    // where that collector saw nothing of it: a site without devices or without open alerts
    // reads 0 instead of vanishing, so "== 0" and "absent" never mean different things.
    static const SiteDevices kNoDevices;
    if (account.devices) {
      AddSiteDevices(families, site, view.devices != nullptr ? *view.devices : kNoDevices,
                     *account.devices);
    }
    if (account.alerts) AddSiteAlerts(families, site, view.alerts);
    if (view.alerts != nullptr) {
      for (const bool muted : {false, true}) {
        const AlertCounts& counts = muted ? view.alerts->muted : view.alerts->unmuted;
        for (const auto& [key, count] : counts.open_by_priority_type) {
          open_by_priority_type[{key.first, key.second, muted}] += count;
        }
      }
    }
  }
  for (const auto& [key, count] : open_by_priority_type) {
    const auto& [priority, type, muted] = key;
    AddGauge(families[kMetricAlertsOpen],
             {{"account", account.account},
              {"priority", std::string(priority)},
              {"type", std::string(type)},
              {"muted", muted ? "true" : "false"}},
             AsGauge(count));
  }
  if (account.devices) {
    for (const auto& [udf, dropped] : account.devices->udf_devices_dropped) {
      AddGauge(families[kMetricUdfDevicesDropped], {{"account", account.account}, {"udf", udf}},
               AsGauge(dropped));
    }
  }
  if (account.device_metrics && account.devices) AddDevices(families, account, views);
}

}  // namespace

std::vector<prometheus::MetricFamily> ReferenceFamilies(const Snapshot& snapshot) {
  FamilySet families;
  for (const auto& account : snapshot.accounts) AddAccount(families, account);
  return std::move(families).Finish();
}

}  // namespace drmm::testing
