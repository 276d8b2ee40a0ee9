#include "sim/model.h"

#include <algorithm>

namespace drmm::sim {
namespace {

const Positions& Empty() {
  static const Positions kEmpty;
  return kEmpty;
}

}  // namespace

const SimSite* AccountState::FindSite(const std::string& uid) const {
  if (!site_index) return nullptr;
  const auto it = site_index->by_uid.find(uid);
  return it == site_index->by_uid.end() ? nullptr : sites[it->second].get();
}

const SimDevice* AccountState::FindDevice(const std::string& uid) const {
  if (!device_index) return nullptr;
  const auto it = device_index->by_uid.find(uid);
  return it == device_index->by_uid.end() ? nullptr : devices[it->second].get();
}

const Positions& AccountState::DevicesOfSite(const std::string& site_uid) const {
  if (!device_index) return Empty();
  const auto it = device_index->by_site.find(site_uid);
  return it == device_index->by_site.end() ? Empty() : it->second;
}

const Positions& AccountState::AlertsOfSite(const std::string& site_uid) const {
  if (!alert_index) return Empty();
  const auto it = alert_index->by_site.find(site_uid);
  return it == alert_index->by_site.end() ? Empty() : it->second;
}

void RebuildSiteIndex(AccountState& state) {
  auto index = std::make_shared<SiteIndex>();
  index->by_uid.reserve(state.sites.size());
  for (std::size_t i = 0; i < state.sites.size(); ++i)
    index->by_uid.emplace(state.sites[i]->uid, i);
  state.site_index = std::move(index);
}

void RebuildDeviceIndex(AccountState& state) {
  auto index = std::make_shared<DeviceIndex>();
  index->by_uid.reserve(state.devices.size());
  for (std::size_t i = 0; i < state.devices.size(); ++i) {
    const SimDevice& d = *state.devices[i];
    index->by_uid.emplace(d.uid, i);
    index->by_site[d.site_uid].push_back(i);
  }
  state.device_index = std::move(index);
}

void RebuildAlertIndex(AccountState& state) {
  auto index = std::make_shared<AlertIndex>();
  for (std::size_t i = 0; i < state.alerts.size(); ++i) {
    const SimAlert& a = *state.alerts[i];
    if (a.site_uid) index->by_site[*a.site_uid].push_back(i);
  }
  state.alert_index = std::move(index);
}

void RebuildIndexes(AccountState& state) {
  RebuildSiteIndex(state);
  RebuildDeviceIndex(state);
  RebuildAlertIndex(state);
}

bool AlertServedBefore(const SimAlert& a, const SimAlert& b) {
  if (a.timestamp.has_value() != b.timestamp.has_value()) return a.timestamp.has_value();
  if (a.timestamp && *a.timestamp != *b.timestamp) return *a.timestamp > *b.timestamp;
  return a.alert_uid < b.alert_uid;
}

void SortAlerts(std::vector<std::shared_ptr<const SimAlert>>& alerts) {
  std::stable_sort(alerts.begin(), alerts.end(),
                   [](const auto& a, const auto& b) { return AlertServedBefore(*a, *b); });
}

}  // namespace drmm::sim
