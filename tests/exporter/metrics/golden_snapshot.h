// A hand-made Snapshot that exercises every metric family: two accounts, a filtered site, an
// on-demand site, "Deleted Devices", sites known to only one collector, unknown enum values, a
// stale (null) collector, a collector that has not run yet, per-device rows on for one account.
// The golden test, the docs test and the promtool sample all render it.
#pragma once

#include "exporter/collect/snapshot.h"

namespace drmm::testing {

Snapshot GoldenSnapshot();

}  // namespace drmm::testing
