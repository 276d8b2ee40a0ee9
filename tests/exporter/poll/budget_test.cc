#include "exporter/poll/budget.h"

#include <gtest/gtest.h>

namespace drmm {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(OwnBudgetPerWindow, ScalesTheShareToTheWindow) {
  EXPECT_EQ(OwnBudgetPerWindow(300, seconds(60)), 300);
  EXPECT_EQ(OwnBudgetPerWindow(600, seconds(2)), 20);  // a simulator window scaled for tests
  EXPECT_EQ(OwnBudgetPerWindow(300, seconds(90)), 450);
  EXPECT_EQ(OwnBudgetPerWindow(1, seconds(1)), 1) << "never zero";
}

TEST(GovernorWindow, AddsSlackForTheTimeARequestTakesToArrive) {
  EXPECT_EQ(GovernorWindow(seconds(60)), seconds(61));
  EXPECT_EQ(GovernorWindow(seconds(2)), milliseconds(2040));
  EXPECT_EQ(GovernorWindow(milliseconds(500)), milliseconds(520));
}

TEST(AccountAwareBudget, KeepsTheWholeAccountUnderItsCutOff) {
  AccountUsage usage;
  usage.account_rate_limit = 600;
  usage.cutoff_ratio = 0.9;
  // Nobody else: our own share is the limit.
  usage.account_requests_in_window = 120;
  usage.ours_in_window = 120;
  EXPECT_EQ(AccountAwareBudget(300, usage), 300);
  // Others use 350: 540 cut-off - 30 headroom - 350 = 160 left for us.
  usage.account_requests_in_window = 350 + 100;
  usage.ours_in_window = 100;
  EXPECT_EQ(AccountAwareBudget(300, usage), 160);
  // Others alone are over the cut-off: one request per window, so rate status still runs.
  usage.account_requests_in_window = 590;
  usage.ours_in_window = 0;
  EXPECT_EQ(AccountAwareBudget(300, usage), 1);
  // Our count can briefly exceed the API's (it counts on arrival): others never go negative.
  usage.account_requests_in_window = 10;
  usage.ours_in_window = 15;
  EXPECT_EQ(AccountAwareBudget(300, usage), 300);
}

TEST(AccountAwareBudget, WorksInScaledWindows) {
  AccountUsage usage;
  usage.account_rate_limit = 40;  // per 2 s window in the tests
  usage.cutoff_ratio = 0.9;
  usage.account_requests_in_window = 25;  // all others
  usage.ours_in_window = 0;
  // 36 - 2 - 25 = 9
  EXPECT_EQ(AccountAwareBudget(20, usage), 9);
}

TEST(PerMinute, ConvertsAWindowBudget) {
  EXPECT_DOUBLE_EQ(PerMinute(300, seconds(60)), 300);
  EXPECT_DOUBLE_EQ(PerMinute(20, seconds(2)), 600);
}

}  // namespace
}  // namespace drmm
