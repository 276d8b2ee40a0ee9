// The thin adapter between the poller's current Snapshot and a scrape: Collect() renders the
// snapshot it is handed through the pure BuildFamilies.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "exporter/collect/snapshot.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace drmm {

class SnapshotCollectable final : public prometheus::Collectable {
 public:
  // `current` returns the snapshot to render (nullptr: nothing to export yet). It is called
  // once per Collect, from the scraping thread.
  explicit SnapshotCollectable(std::function<std::shared_ptr<const Snapshot>()> current);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const std::function<std::shared_ptr<const Snapshot>()> current_;
};

}  // namespace drmm
