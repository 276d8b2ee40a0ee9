// Whether an account's collector intervals fit its rate budget, and how to stretch them when
// they do not. Pure: the poller feeds it what each collector's last run cost (its page count)
// and the budget, and schedules with the intervals it returns.
#pragma once

#include <array>

#include "common/clock.h"

namespace drmm {

// In the order of kCollectorNames: sites, devices, alerts, rate_status.
inline constexpr int kPlannedCollectors = 4;

struct CollectorCost {
  bool enabled = false;
  Duration interval{};  // as configured
  int requests_per_run = 1;
};

struct SchedulePlan {
  std::array<Duration, kPlannedCollectors> intervals{};  // what to schedule with
  double planned_requests_per_minute = 0;                // at the configured intervals
  double budget_requests_per_minute = 0;
  double utilization = 0;  // planned over budget; > kPlanFill: the intervals are stretched
  bool stretched = false;  // some interval is longer than configured
};

// Share of the budget the plan fills at most: the rest absorbs token renewals, retries and the
// pagination call.
inline constexpr double kPlanFill = 0.9;

// Keeps the configured intervals when they fit in kPlanFill of the budget. Otherwise stretches
// intervals in the order devices, sites, alerts, rate_status (the freshest critical signal
// last), each at most to `max_interval` (so its data refreshes before max_staleness drops it),
// until the plan fits.
SchedulePlan PlanSchedule(const std::array<CollectorCost, kPlannedCollectors>& costs,
                          double budget_requests_per_minute, Duration max_interval);

}  // namespace drmm
