// Folds the pages of an /account/sites walk into SitesData, one page at a time, so the poller
// never holds the whole walk. Every site is kept (the SiteFilter applies at scrape time).
#pragma once

#include <cstdint>
#include <vector>

#include "datto/model.h"
#include "exporter/collect/snapshot.h"

namespace drmm {

class SitesFold {
 public:
  void Add(std::vector<datto::Site>&& page);
  // Sites sorted by uid; a uid seen twice keeps its first occurrence.
  SitesData Finish() &&;

 private:
  std::vector<SiteInfo> sites_;
};

}  // namespace drmm
