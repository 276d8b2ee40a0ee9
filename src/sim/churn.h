// The account changing over time: devices go offline and come back, alerts open and resolve,
// patch states move, and sites appear and disappear. Every event is drawn from the caller's Rng,
// so the same seed gives the same sequence of changes.
//
// The churn is mean-reverting, so an account left running for hours keeps its shape: each
// device's online state is redrawn with its kind's online probability (as GenerateAccount draws
// it), and an alert event opens rather than resolves, or a site event adds rather than removes,
// with probability target² / (target² + current²), pulling the count back to its target. A
// removed site's devices move to "Deleted Devices" (as Datto does), whose earlier residents are
// purged at random down to that site's target size, and a new site gets the devices the account
// is short of (at least one). Removal prefers small sites, so the big sites of the Zipf-like
// spread stay.
#pragma once

#include <cstdint>

#include "sim/model.h"
#include "sim/rng.h"

namespace drmm::sim {

struct ChurnOptions {
  // Per-kind online probabilities follow from it as in GenerateAccount.
  double online_ratio = 0.85;
  // The levels churn pulls back to; a negative value means the level of the state passed in.
  int active_devices = -1;   // devices outside "Deleted Devices"
  int deleted_devices = -1;  // devices in "Deleted Devices"
  int regular_sites = -1;    // sites that are neither "Deleted Devices" nor on-demand
  int open_alerts = -1;
};

// Options that keep an account at the levels of `initial` (the account as generated or loaded).
ChurnOptions SteadyChurnOptions(const AccountState& initial, double online_ratio);

// Applies `events` events to `state`, which must be the caller's private copy (items are
// replaced, never modified in place, so states sharing them are unaffected). Indexes are rebuilt
// where membership changed. With targets set (not negative), the result depends only on `state`,
// the Rng and `options`, not on how the events are split into calls.
void ApplyChurnEvents(AccountState& state, int events, Rng& rng, std::int64_t now_ms,
                      const ChurnOptions& options);

}  // namespace drmm::sim
