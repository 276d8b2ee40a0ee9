#include "exporter/collect/sites_fold.h"

#include <algorithm>
#include <utility>

namespace drmm {

void SitesFold::Add(std::vector<datto::Site>&& page) {
  for (auto& site : page) {
    if (site.uid.empty()) continue;
    sites_.push_back(SiteInfo{std::move(site.uid), std::move(site.name),
                              site.on_demand.value_or(false), site.portal_url.value_or(""),
                              site.autotask_company_id.value_or(""),
                              site.autotask_company_name.value_or("")});
  }
}

SitesData SitesFold::Finish() && {
  SitesData data;
  // A few thousand sites at most: sorting once beats a lookup structure per item.
  std::stable_sort(sites_.begin(), sites_.end(),
                   [](const SiteInfo& a, const SiteInfo& b) { return a.uid < b.uid; });
  const auto last =
      std::unique(sites_.begin(), sites_.end(),
                  [](const SiteInfo& a, const SiteInfo& b) { return a.uid == b.uid; });
  sites_.erase(last, sites_.end());
  data.sites = std::move(sites_);
  return data;
}

}  // namespace drmm
