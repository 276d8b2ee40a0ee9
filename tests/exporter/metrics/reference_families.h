// The previous Snapshot-to-families translation (prometheus-cpp MetricFamily values, serialized
// by prometheus-cpp's TextSerializer), kept only as the tests' reference: RenderSnapshotText
// must give exactly its output. Not used by the exporter.
#pragma once

#include <vector>

#include "exporter/collect/snapshot.h"
#include "prometheus/metric_family.h"

namespace drmm::testing {

// Families in kMetricCatalog order, series sorted by their labels, empty families left out.
std::vector<prometheus::MetricFamily> ReferenceFamilies(const Snapshot& snapshot);

}  // namespace drmm::testing
