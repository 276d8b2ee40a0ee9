#include "exporter/poll/schedule_plan.h"

#include <algorithm>
#include <chrono>

namespace drmm {
namespace {

using Minutes = std::chrono::duration<double, std::ratio<60>>;

// Indices in kCollectorNames order.
constexpr int kSites = 0;
constexpr int kDevices = 1;
constexpr int kAlerts = 2;
constexpr int kRateStatus = 3;
constexpr std::array<int, kPlannedCollectors> kStretchOrder = {kDevices, kSites, kAlerts,
                                                               kRateStatus};

double RequestsPerMinute(const CollectorCost& cost, Duration interval) {
  if (!cost.enabled || interval <= Duration::zero()) return 0;
  return cost.requests_per_run / std::chrono::duration_cast<Minutes>(interval).count();
}

}  // namespace

SchedulePlan PlanSchedule(const std::array<CollectorCost, kPlannedCollectors>& costs,
                          double budget_requests_per_minute, Duration max_interval) {
  SchedulePlan plan;
  plan.budget_requests_per_minute = budget_requests_per_minute;
  for (int i = 0; i < kPlannedCollectors; ++i) {
    plan.intervals[i] = costs[i].interval;
    plan.planned_requests_per_minute += RequestsPerMinute(costs[i], costs[i].interval);
  }
  plan.utilization = budget_requests_per_minute > 0
                         ? plan.planned_requests_per_minute / budget_requests_per_minute
                         : 0;
  const double target = budget_requests_per_minute * kPlanFill;
  // The tolerance keeps a collector stretched to fill exactly what is left from counting as
  // "still over" through rounding, which would stretch the next one by nanoseconds.
  const double fits = target * (1 + 1e-9);
  double planned = plan.planned_requests_per_minute;
  for (const int i : kStretchOrder) {
    if (planned <= fits) break;
    const CollectorCost& cost = costs[i];
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
    plan.intervals[i] = interval;
    planned = others + RequestsPerMinute(cost, interval);
    plan.stretched = plan.stretched || interval > cost.interval;
  }
  return plan;
}

}  // namespace drmm
