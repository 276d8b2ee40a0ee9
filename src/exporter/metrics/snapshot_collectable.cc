#include "exporter/metrics/snapshot_collectable.h"

#include <utility>

#include "exporter/metrics/build_families.h"

namespace drmm {

SnapshotCollectable::SnapshotCollectable(std::function<std::shared_ptr<const Snapshot>()> current)
    : current_(std::move(current)) {}

std::vector<prometheus::MetricFamily> SnapshotCollectable::Collect() const {
  const auto snapshot = current_ ? current_() : nullptr;
  if (!snapshot) return {};
  return BuildFamilies(*snapshot);
}

}  // namespace drmm
