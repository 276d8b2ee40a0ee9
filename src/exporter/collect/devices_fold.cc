#include "exporter/collect/devices_fold.h"

#include <algorithm>
#include <array>
#include <functional>
#include <iterator>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/duration.h"
#include "common/text.h"
#include "exporter/collect/labels.h"

namespace drmm {
namespace {

bool UidLess(const DeviceRow& a, const DeviceRow& b) { return a.uid < b.uid; }

template <std::size_t N>
std::size_t IndexOf(const std::array<std::string_view, N>& values, std::string_view value) {
  return static_cast<std::size_t>(std::find(values.begin(), values.end(), value) - values.begin());
}

// udf<n> of the device; nullopt when unset or not decoded. `udfs` is sorted by n.
std::optional<std::string_view> UdfOf(const datto::Device& device, int n) {
  const auto it = std::lower_bound(device.udfs.begin(), device.udfs.end(), n,
                                   [](const auto& udf, int wanted) { return udf.first < wanted; });
  if (it == device.udfs.end() || it->first != n) return std::nullopt;
  return std::string_view(it->second);
}

}  // namespace

datto::DecodeOptions DecodeOptionsFor(const DeviceMetricsConfig& per_device) {
  datto::DecodeOptions options;
  options.site_autotask = true;
  options.device_warranty = true;
  for (const auto& udf : per_device.udf_labels) {
    options.device_udfs.set(static_cast<std::size_t>(udf.udf));
  }
  return options;
}

DevicesFold::DevicesFold(const DeviceMetricsConfig& per_device, WallTime now)
    : rows_enabled_(per_device.enabled),
      categories_(per_device.categories),
      max_rows_(per_device.max_devices > 0 ? static_cast<std::size_t>(per_device.max_devices) : 0),
      now_(now),
      stale_after_(per_device.stale_after),
      warranty_horizon_(per_device.warranty_horizon),
      udf_labels_(per_device.udf_labels),
      max_udf_values_(
          per_device.max_udf_values > 0 ? static_cast<std::size_t>(per_device.max_udf_values) : 0) {
  for (const auto age : stale_after_) data_.stale_after.push_back(FormatDuration(age));
  for (const auto& udf : udf_labels_) {
    data_.udf_labels.push_back(udf.label);
    if (udf.site_counts) data_.udf_devices_dropped[udf.label] = 0;
  }
}

bool DevicesFold::WantsRow(const std::string& category) const {
  if (!rows_enabled_) return false;
  if (categories_.empty()) return true;
  // Users write "server" as often as "Server"; Datto's categories never differ only in case.
  return std::any_of(categories_.begin(), categories_.end(), [&](const std::string& wanted) {
    return EqualsIgnoringAsciiCase(wanted, category);
  });
}

void DevicesFold::KeepRow(DeviceRow row) {
  // Keep the max_rows_ smallest uids rather than the first ones the walk returned: the API's
  // order is not stable, and a cut that moved between walks would churn series.
  if (rows_.size() < max_rows_) {
    rows_.push_back(std::move(row));
    std::push_heap(rows_.begin(), rows_.end(), UidLess);
    return;
  }
  ++data_.device_rows_dropped;
  if (rows_.empty() || !(row.uid < rows_.front().uid)) return;
  std::pop_heap(rows_.begin(), rows_.end(), UidLess);
  rows_.back() = std::move(row);
  std::push_heap(rows_.begin(), rows_.end(), UidLess);
}

void DevicesFold::Add(std::vector<datto::Device>&& page) {
  for (auto& device : page) {
    if (device.uid.empty() || device.site_uid.empty()) continue;
    ++data_.device_count;

    SiteDevices& site = data_.sites[device.site_uid];
    if (site.site_name.empty()) site.site_name = device.site_name;

    std::string category = CategoryLabel(device.category);
    const bool online = device.online.value_or(false);
    ++(online ? site.online_by_category : site.offline_by_category)[category];

    ++site.by_patch_status[PatchStatusLabel(device.patch_management)];
    std::int64_t approved_pending = 0;
    if (const auto& pm = device.patch_management) {
      approved_pending = pm->patches_approved_pending.value_or(0);
      site.patches_approved_pending += approved_pending;
      site.patches_not_approved += pm->patches_not_approved.value_or(0);
      site.patches_installed += pm->patches_installed.value_or(0);
    }

    const bool reboot_required = device.reboot_required.value_or(false);
    if (reboot_required) ++site.reboot_required;

    ++site.by_antivirus_status[AntivirusStatusLabel(device.antivirus)];

    site.not_seen.resize(stale_after_.size());
    for (std::size_t i = 0; i < stale_after_.size(); ++i) {
      if (NotSeenFor(device.last_seen, now_, stale_after_[i])) ++site.not_seen[i];
    }
    ++site.by_warranty[IndexOf(kWarrantyStates,
                               WarrantyStateLabel(device.warranty_date, now_, warranty_horizon_))];
    ++site.by_state[IndexOf(kDeviceStates, DeviceStateLabel(device.suspended, device.deleted))];

    std::vector<std::string> udf_values;
    udf_values.reserve(udf_labels_.size());
    for (const auto& udf : udf_labels_) {
      std::string value = UdfValueLabel(UdfOf(device, udf.udf));
      if (udf.site_counts) ++site.by_udf_value[{udf.label, value}];
      udf_values.push_back(std::move(value));
    }

    if (!WantsRow(category)) continue;
    DeviceRow row;
    row.uid = std::move(device.uid);
    row.hostname = std::move(device.hostname);
    row.site_uid = std::move(device.site_uid);
    row.site_name = std::move(device.site_name);
    row.category = std::move(category);
    row.device_class = DeviceClassLabel(device.device_class);
    row.os = device.operating_system.value_or("");
    row.online = online;
    if (device.last_seen) row.last_seen_unix = ToUnixSeconds(*device.last_seen);
    row.patches_approved_pending = approved_pending;
    row.reboot_required = reboot_required;
    row.udf_values = std::move(udf_values);
    KeepRow(std::move(row));
  }
}

DevicesData DevicesFold::Finish() && {
  CapUdfValues();
  std::sort_heap(rows_.begin(), rows_.end(), UidLess);
  data_.devices = std::move(rows_);
  return std::move(data_);
}

void DevicesFold::CapUdfValues() {
  // Keep the max_udf_values smallest values of each label, account-wide, like max_devices keeps
  // the smallest uids: a cut that depended on the walk's order would churn series. "" (unset)
  // is always kept: it is one value per site at most.
  for (const auto& udf : udf_labels_) {
    if (!udf.site_counts) continue;
    std::set<std::string_view> values;
    for (const auto& [uid, site] : data_.sites) {
      for (const auto& [key, count] : site.by_udf_value) {
        if (key.first == udf.label && !key.second.empty()) values.insert(key.second);
      }
    }
    if (values.size() <= max_udf_values_) continue;
    const std::string first_dropped(
        *std::next(values.begin(), static_cast<std::ptrdiff_t>(max_udf_values_)));
    std::int64_t& dropped = data_.udf_devices_dropped[udf.label];
    for (auto& [uid, site] : data_.sites) {
      auto it = site.by_udf_value.lower_bound({udf.label, first_dropped});
      while (it != site.by_udf_value.end() && it->first.first == udf.label) {
        dropped += it->second;
        it = site.by_udf_value.erase(it);
      }
    }
  }
}

}  // namespace drmm
