// Folds the pages of an /account/alerts/open walk into per-site counts (AlertsData), one page
// at a time. Muted alerts are open alerts too; they are counted apart from the others.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "datto/model.h"
#include "exporter/collect/snapshot.h"
#include "exporter/collect/unknown_values.h"

namespace drmm {

class AlertsFold {
 public:
  // `on_unknown` hears each unknown priority value once.
  explicit AlertsFold(UnknownValueSink on_unknown = {});

  void Add(std::vector<datto::Alert>&& page);
  AlertsData Finish() &&;

 private:
  UnknownValueReporter unknown_;
  std::unordered_set<std::string> seen_;  // alert uids folded so far
  AlertsData data_;
};

}  // namespace drmm
