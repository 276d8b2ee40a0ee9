#include "exporter/poll/schedule_plan.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr Collector kSites = Collector::kSites, kDevices = Collector::kDevices,
                    kAlerts = Collector::kAlerts, kRateStatus = Collector::kRateStatus;

PerCollector<CollectorCost> Costs(int site_pages, int device_pages, int alert_pages) {
  PerCollector<CollectorCost> costs;
  costs[kSites] = {true, minutes(5), site_pages};
  costs[kDevices] = {true, minutes(5), device_pages};
  costs[kAlerts] = {true, seconds(60), alert_pages};
  costs[kRateStatus] = {true, seconds(60), 1};
  return costs;
}

TEST(PlanSchedule, KeepsTheConfiguredIntervalsWhenTheyFit) {
  // 2,000 sites, 100,000 devices, 20,000 alerts: 8/5 + 400/5 + 80/1 + 1 = 162.6 per minute.
  const auto plan = PlanSchedule(Costs(8, 400, 80), 300, minutes(12));
  EXPECT_FALSE(plan.stretched);
  EXPECT_NEAR(plan.planned_requests_per_minute, 162.6, 1e-9);
  EXPECT_NEAR(plan.utilization, 162.6 / 300, 1e-9);
  EXPECT_EQ(plan.intervals[kDevices], minutes(5));
  EXPECT_EQ(plan.intervals[kAlerts], seconds(60));
}

TEST(PlanSchedule, StretchesDevicesFirstAndKeepsAlertsFresh) {
  // Budget 150/min: 90% = 135. Alerts 80 + rate 1 + sites 1.6 leave 52.4 for 400 device pages.
  const auto plan = PlanSchedule(Costs(8, 400, 80), 150, minutes(12));
  EXPECT_TRUE(plan.stretched);
  EXPECT_GT(plan.utilization, 1.0);
  EXPECT_EQ(plan.intervals[kAlerts], seconds(60));
  EXPECT_EQ(plan.intervals[kSites], minutes(5));
  EXPECT_NEAR(std::chrono::duration<double>(plan.intervals[kDevices]).count(), 400 / 52.4 * 60,
              0.01);
}

TEST(PlanSchedule, StretchesAlertsOnlyWhenEverythingElseIsAtItsLimit) {
  // Budget 60/min: 54 to fill. Alerts alone want 80.
  const auto plan = PlanSchedule(Costs(8, 400, 80), 60, minutes(12));
  EXPECT_TRUE(plan.stretched);
  EXPECT_EQ(plan.intervals[kDevices], minutes(12));
  EXPECT_EQ(plan.intervals[kSites], minutes(12));
  EXPECT_GT(plan.intervals[kAlerts], seconds(60));
  EXPECT_EQ(plan.intervals[kRateStatus], seconds(60));
  // What is left after devices and sites at their limit and rate status: 54 - 33.33 - 0.67 - 1.
  const double left = 54 - 400.0 / 12 - 8.0 / 12 - 1;
  EXPECT_NEAR(std::chrono::duration<double>(plan.intervals[kAlerts]).count(), 80 / left * 60, 0.01);
}

TEST(PlanSchedule, NeverStretchesBeyondTheLimitOrShrinksAnInterval) {
  const auto plan = PlanSchedule(Costs(8, 400, 80), 1, minutes(12));
  for (const Collector collector : kAllCollectors) {
    EXPECT_LE(plan.intervals[collector], minutes(12)) << NameOf(collector);
  }
  auto costs = Costs(1, 1, 1);
  costs[kDevices].interval = minutes(30);  // already beyond the limit: left alone
  const auto calm = PlanSchedule(costs, 300, minutes(12));
  EXPECT_EQ(calm.intervals[kDevices], minutes(30));
  EXPECT_FALSE(calm.stretched);
}

TEST(PlanSchedule, IgnoresDisabledCollectors) {
  auto costs = Costs(8, 400, 80);
  costs[kDevices].enabled = false;
  const auto plan = PlanSchedule(costs, 150, minutes(12));
  EXPECT_FALSE(plan.stretched);
  EXPECT_NEAR(plan.planned_requests_per_minute, 8.0 / 5 + 80 + 1, 1e-9);
}

TEST(PlanSchedule, AWalkLongerThanItsIntervalCountsAsOverTheBudget) {
  // The requests fit easily, but 80 device pages at 1.5 s each take 2 minutes against a
  // 1-minute interval: the data cannot be as fresh as configured, and the ratio says so.
  auto costs = Costs(1, 80, 1);
  costs[kDevices].interval = seconds(60);
  costs[kDevices].run_time = seconds(120);
  const auto plan = PlanSchedule(costs, 300, minutes(12));
  EXPECT_NEAR(plan.utilization, 2.0, 1e-9);
  ASSERT_TRUE(plan.outrun.has_value());
  EXPECT_EQ(*plan.outrun, kDevices);
  // A run that fits its interval says nothing.
  costs[kDevices].run_time = seconds(30);
  const auto fits = PlanSchedule(costs, 300, minutes(12));
  EXPECT_FALSE(fits.outrun.has_value());
  EXPECT_LT(fits.utilization, 1.0);
}

}  // namespace
}  // namespace drmm
