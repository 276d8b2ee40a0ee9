#include "exporter/collect/devices_fold.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <utility>

#include "common/clock.h"
#include "common/text.h"
#include "exporter/collect/labels.h"

namespace drmm {
namespace {

bool UidLess(const DeviceRow& a, const DeviceRow& b) { return a.uid < b.uid; }

}  // namespace

DevicesFold::DevicesFold(const DeviceMetricsConfig& per_device)
    : rows_enabled_(per_device.enabled),
      categories_(per_device.categories),
      max_rows_(per_device.max_devices > 0 ? static_cast<std::size_t>(per_device.max_devices) : 0) {
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
    KeepRow(std::move(row));
  }
}

DevicesData DevicesFold::Finish() && {
  std::sort_heap(rows_.begin(), rows_.end(), UidLess);
  data_.devices = std::move(rows_);
  return std::move(data_);
}

}  // namespace drmm
