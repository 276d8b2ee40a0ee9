// The translation from a Snapshot to Prometheus metric families: a pure function, rebuilt from
// scratch on every scrape (no Family::Add/Remove bookkeeping), so a deleted site disappears
// instead of freezing at its last value. Each account's SiteFilter is applied here.
#pragma once

#include <vector>

#include "exporter/collect/snapshot.h"
#include "prometheus/metric_family.h"

namespace drmm {

// Families in kMetricCatalog order, series sorted by their labels, empty families left out:
// the same Snapshot always gives the same output (the golden test relies on it).
std::vector<prometheus::MetricFamily> BuildFamilies(const Snapshot& snapshot);

}  // namespace drmm
