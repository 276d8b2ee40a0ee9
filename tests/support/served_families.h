// What /metrics serves for a Snapshot, as MetricFamily values: the exporter's own rendering,
// read back with the text-format reader, so tests assert on exactly the served bytes.
#pragma once

#include <vector>

#include "exporter/collect/snapshot.h"
#include "exporter/metrics/render.h"
#include "prometheus/metric_family.h"
#include "support/exposition_text.h"

namespace drmm::testing {

inline std::vector<prometheus::MetricFamily> ServedFamilies(const Snapshot& snapshot) {
  return ParseExposition(RenderSnapshotText(snapshot));
}

}  // namespace drmm::testing
