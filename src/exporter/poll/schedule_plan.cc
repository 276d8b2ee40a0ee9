#include "exporter/poll/schedule_plan.h"

#include <algorithm>
#include <chrono>

namespace drmm {
namespace {

using Minutes = std::chrono::duration<double, std::ratio<60>>;

double RequestsPerMinute(const CollectorCost& cost, Duration interval) {
  if (!cost.enabled || interval <= Duration::zero()) return 0;
  return cost.requests_per_run / std::chrono::duration_cast<Minutes>(interval).count();
}

}  // namespace

SchedulePlan PlanSchedule(const PerCollector<CollectorCost>& costs,
                          double budget_requests_per_minute, Duration max_interval) {
  SchedulePlan plan;
  plan.budget_requests_per_minute = budget_requests_per_minute;
  double slowest = 0;  // run time over interval
  for (const Collector collector : kAllCollectors) {
    const CollectorCost& cost = costs[collector];
    plan.intervals[collector] = cost.interval;
    plan.planned_requests_per_minute += RequestsPerMinute(cost, cost.interval);
    if (cost.enabled && cost.interval > Duration::zero()) {
      const double outrun = std::chrono::duration<double>(cost.run_time).count() /
                            std::chrono::duration<double>(cost.interval).count();
      if (outrun > 1 && outrun > slowest) plan.outrun = collector;
      slowest = std::max(slowest, outrun);
    }
  }
  plan.utilization = budget_requests_per_minute > 0
                         ? plan.planned_requests_per_minute / budget_requests_per_minute
                         : 0;
  plan.utilization = std::max(plan.utilization, slowest);
  const double target = budget_requests_per_minute * kPlanFill;
  // The tolerance keeps a collector stretched to fill exactly what is left from counting as
  // "still over" through rounding, which would stretch the next one by nanoseconds.
  const double fits = target * (1 + 1e-9);
  double planned = plan.planned_requests_per_minute;
  for (const Collector collector : kCollectorStretchOrder) {
    if (planned <= fits) break;
    const CollectorCost& cost = costs[collector];
    if (!cost.enabled || cost.interval >= max_interval) continue;
    const double current = RequestsPerMinute(cost, cost.interval);
    const double others = planned - current;
    // The interval at which this collector takes exactly what the others leave, if that is
    // anything; otherwise as long as allowed.
    Duration wanted = max_interval;
    if (target > others) {
      wanted =
          std::chrono::duration_cast<Duration>(Minutes(cost.requests_per_run / (target - others)));
    }
    const Duration interval = std::clamp(wanted, cost.interval, max_interval);
    plan.intervals[collector] = interval;
    planned = others + RequestsPerMinute(cost, interval);
    plan.stretched = plan.stretched || interval > cost.interval;
  }
  return plan;
}

}  // namespace drmm
