// Whether an account's collector intervals fit its rate budget and the time its walks take, and
// how to stretch them when they do not. Pure: the poller feeds it what each collector's last
// run cost (its page count and how long it took) and the budget, and schedules with the
// intervals it returns.
#pragma once

#include <optional>

#include "common/clock.h"
#include "exporter/config/collectors.h"

namespace drmm {

struct CollectorCost {
  bool enabled = false;
  Duration interval{};  // as configured
  int requests_per_run = 1;
  Duration run_time{};  // how long the last run took: pages wait for Datto, not only the budget
};

struct SchedulePlan {
  PerCollector<Duration> intervals{};      // what to schedule with
  double planned_requests_per_minute = 0;  // at the configured intervals
  double budget_requests_per_minute = 0;
  // The larger of planned requests over budget and, for the slowest collector, its run time
  // over its interval: above kPlanFill the budget stretches the intervals; above 1 a walk also
  // takes longer than its interval, so its data refreshes less often than configured.
  double utilization = 0;
  bool stretched = false;  // some interval is longer than configured
  // The collector whose last run took longer than its interval (the worst one), if any.
  std::optional<Collector> outrun;
};

// Share of the budget the plan fills at most: the rest absorbs token renewals, retries and the
// pagination call.
inline constexpr double kPlanFill = 0.9;

// Keeps the configured intervals when they fit in kPlanFill of the budget. Otherwise stretches
// intervals in kCollectorStretchOrder (devices first, the freshest critical signals last), each
// at most to `max_interval` (so its data refreshes before max_staleness drops it), until the
// plan fits.
SchedulePlan PlanSchedule(const PerCollector<CollectorCost>& costs,
                          double budget_requests_per_minute, Duration max_interval);

}  // namespace drmm
