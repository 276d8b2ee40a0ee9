#include "exporter/collect/alerts_fold.h"

#include <algorithm>
#include <utility>

#include "common/clock.h"
#include "exporter/collect/labels.h"

namespace drmm {

void AlertsFold::Add(std::vector<datto::Alert>&& page) {
  for (auto& alert : page) {
    if (alert.alert_uid.empty() || alert.site_uid.empty()) continue;
    ++data_.alert_count;

    SiteAlerts& site = data_.sites[alert.site_uid];
    if (site.site_name.empty()) site.site_name = std::move(alert.site_name);

    std::string priority = PriorityLabel(alert.priority);
    AlertCounts& counts = alert.muted.value_or(false) ? site.muted : site.unmuted;
    ++counts.open_by_priority[priority];
    if (alert.timestamp) {
      const double seconds = ToUnixSeconds(*alert.timestamp);
      auto [it, inserted] = counts.oldest_open_unix_by_priority.try_emplace(priority, seconds);
      if (!inserted) it->second = std::min(it->second, seconds);
    }
    ++counts.open_by_priority_type[{std::move(priority), AlertTypeLabel(alert.alert_class)}];
  }
}

AlertsData AlertsFold::Finish() && { return std::move(data_); }

}  // namespace drmm
