// The account changing over time: devices go offline and come back, alerts open and resolve,
// patch states move, and sites appear and disappear with their devices and alerts. Every event
// is drawn from the caller's Rng, so the same seed gives the same sequence of changes.
#pragma once

#include <cstdint>

#include "sim/model.h"
#include "sim/rng.h"

namespace drmm::sim {

struct ChurnOptions {
  double online_ratio = 0.85;  // for the devices of sites that appear
};

// Applies `events` events to `state`, which must be the caller's private copy (items are
// replaced, never modified in place, so states sharing them are unaffected). Indexes are rebuilt
// where membership changed.
void ApplyChurnEvents(AccountState& state, int events, Rng& rng, std::int64_t now_ms,
                      const ChurnOptions& options);

}  // namespace drmm::sim
