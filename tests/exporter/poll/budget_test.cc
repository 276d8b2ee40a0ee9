#include "exporter/poll/budget.h"

#include <gtest/gtest.h>

#include <limits>

#include "exporter/poll/account_budget.h"
#include "support/fake_clock.h"

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
  EXPECT_EQ(GovernorWindow(seconds(60)), seconds(61));  // 2% would be 1.2 s: at most 1 s
  EXPECT_EQ(GovernorWindow(seconds(30)), milliseconds(30'600));
  // Windows scaled down for tests: at least 200 ms, what loopback varies by under a sanitizer.
  EXPECT_EQ(GovernorWindow(seconds(2)), milliseconds(2200));
  EXPECT_EQ(GovernorWindow(milliseconds(500)), milliseconds(700));
}

TEST(AccountAwareBudget, KeepsTheWholeAccountUnderItsCutOff) {
  AccountUsage usage;
  usage.account_rate_limit = 600;
  usage.cutoff_ratio = 0.9;
  // Nobody else: 120 sent, plus half of the 390 free (540 - 30 headroom - 120) is above our share.
  usage.account_requests_in_window = 120;
  usage.ours_in_window = 120;
  EXPECT_EQ(AccountAwareBudget(300, usage), 300);
  // Others use 350: 540 cut-off - 30 headroom - 350 = 160 left for us; we send 100, so 60 are
  // free and we claim half of them.
  usage.account_requests_in_window = 350 + 100;
  usage.ours_in_window = 100;
  EXPECT_DOUBLE_EQ(AccountRoom(usage), 160);
  EXPECT_EQ(AccountAwareBudget(300, usage), 130);
  // Requests still in flight at the call count as the others' (the safe side), but the claim
  // grows from all we sent: 100 answered and 20 in flight, room 140, claim 120 + 20 / 2.
  usage.ours_sent_in_window = 120;
  EXPECT_DOUBLE_EQ(AccountRoom(usage), 160);
  usage.account_requests_in_window = 350 + 120;
  EXPECT_DOUBLE_EQ(AccountRoom(usage), 140);
  EXPECT_EQ(AccountAwareBudget(300, usage), 130);
  usage.ours_sent_in_window = 0;
  // Over the room (the others grew): back to the room at once, not half-way.
  usage.account_requests_in_window = 350 + 250;
  usage.ours_in_window = 250;
  EXPECT_EQ(AccountAwareBudget(300, usage), 160);
  // Others alone are over the cut-off: one request per window, so rate status still runs.
  usage.account_requests_in_window = 590;
  usage.ours_in_window = 0;
  EXPECT_EQ(AccountAwareBudget(300, usage), 1);
  // Our count can briefly exceed the API's (it counts on arrival): others never go negative.
  usage.account_requests_in_window = 10;
  usage.ours_in_window = 15;
  EXPECT_EQ(AccountAwareBudget(300, usage), 262);  // 15 + (510 - 15) / 2
}

TEST(AccountAwareBudget, TwoReplicasConvergeToEqualSharesUnderTheCutOff) {
  // Two exporters with 300/min each and other consumers at 100/min, both adjusting from the
  // same rate status answer and then sending their whole budget. Claiming the whole room, they
  // took turns: both 300 (account 700), both 110, both 300, ...
  AccountUsage usage;
  usage.account_rate_limit = 600;
  usage.cutoff_ratio = 0.9;
  const int others = 100;
  int a = 300;
  int b = 300;
  for (int round = 0; round < 6; ++round) {
    usage.account_requests_in_window = others + a + b;
    usage.ours_in_window = a;
    const int next_a = AccountAwareBudget(300, usage);
    usage.ours_in_window = b;
    const int next_b = AccountAwareBudget(300, usage);
    a = next_a;
    b = next_b;
    SCOPED_TRACE(round);
    EXPECT_LE(others + a + b, 540 - 30);
  }
  EXPECT_EQ(a, 205);
  EXPECT_EQ(b, 205);
}

TEST(AccountAwareBudget, NumbersFromTheApiCannotLiftTheBudgetAboveTheShare) {
  AccountUsage usage;
  usage.account_requests_in_window = 0;
  for (const std::int64_t limit : {std::int64_t{0}, std::int64_t{-5}, std::int64_t{10'000'000'000},
                                   std::numeric_limits<std::int64_t>::max()}) {
    usage.account_rate_limit = limit;  // taken as Datto's 600
    EXPECT_LE(AccountAwareBudget(60, usage), 60);
    EXPECT_GE(AccountAwareBudget(60, usage), 1);
  }
  usage.account_rate_limit = 600;
  usage.account_requests_in_window = std::numeric_limits<std::int64_t>::min();
  EXPECT_EQ(AccountAwareBudget(60, usage), 60);
  usage.account_requests_in_window = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(AccountAwareBudget(60, usage), 1);
  usage.account_requests_in_window = 0;
  usage.cutoff_ratio = 7;  // taken as 0.9
  EXPECT_EQ(AccountAwareBudget(600, usage), 255);
}

TEST(AccountBudget, TheConfiguredShareHoldsWhateverWindowTheApiReports) {
  // The case: slidingTimeWindowSizeSeconds 100000 (and worse) with 60/min configured.
  for (const std::int64_t window :
       {std::int64_t{100'000}, std::int64_t{10'000'000'000}, std::int64_t{1}, std::int64_t{0},
        std::int64_t{-60}, std::numeric_limits<std::int64_t>::max()}) {
    SCOPED_TRACE(window);
    testing::FakeClock clock;  // auto-advancing: Acquire's waits take no real time
    RateLimitConfig config;
    config.requests_per_minute = 60;
    AccountBudget budget("acme", config, clock);
    datto::RateStatus status;
    status.sliding_window_seconds = window;
    status.account_count = 0;
    status.account_rate_limit = 600;
    status.account_cutoff_ratio = 0.9;
    budget.Adjust(status, clock.Now());
    EXPECT_GT(budget.RequestsPerMinute(), 0);
    EXPECT_LE(budget.RequestsPerMinute(), 60.0);
    // Send as fast as the governor allows for ten minutes of the fake clock, re-adjusting
    // every 30 s as the rate status collector would.
    const SteadyTime start = clock.Now();
    std::vector<SteadyTime> sends;
    SteadyTime next_adjust = start + seconds(30);
    while (clock.Now() - start < std::chrono::minutes(10)) {
      ASSERT_TRUE(budget.gate().Acquire(datto::RequestPriority::kDevices, {}));
      budget.gate().Answered();
      sends.push_back(clock.Now());
      if (clock.Now() >= next_adjust) {
        status.account_count = budget.RequestsInWindow();
        budget.Adjust(status, clock.Now());
        next_adjust += seconds(30);
      }
      ASSERT_LT(sends.size(), 10'000u) << "the governor let requests through unchecked";
    }
    std::size_t first = 0;
    std::size_t busiest = 0;
    for (std::size_t last = 0; last < sends.size(); ++last) {
      while (sends[first] <= sends[last] - seconds(60)) ++first;
      busiest = std::max(busiest, last - first + 1);
    }
    EXPECT_LE(busiest, 60u);
    EXPECT_GE(busiest, 50u) << "the share must still be usable";
  }
}

TEST(PerMinute, ConvertsAWindowBudget) {
  EXPECT_DOUBLE_EQ(PerMinute(300, seconds(60)), 300);
  EXPECT_DOUBLE_EQ(PerMinute(20, seconds(2)), 600);
}

}  // namespace
}  // namespace drmm
