// Folds the pages of an /account/alerts/open walk into per-site counts (AlertsData), one page
// at a time. The walk has already dropped alerts seen on an earlier page; an alert without a
// uid or a site uid cannot be labelled and is left out. Muted alerts are open alerts too; they are
// counted apart from the others.
#pragma once

#include <vector>

#include "datto/model.h"
#include "exporter/collect/snapshot.h"

namespace drmm {

class AlertsFold {
 public:
  void Add(std::vector<datto::Alert>&& page);
  AlertsData Finish() &&;

 private:
  AlertsData data_;
};

}  // namespace drmm
