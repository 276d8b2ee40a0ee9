#include "datto/rate_governor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "datto/retry_policy.h"
#include "support/fake_clock.h"

namespace drmm::datto {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using testing::FakeClock;

constexpr auto kWaitLimit = std::chrono::seconds(10);

GovernorOptions Options(int budget) {
  GovernorOptions options;
  options.budget = budget;
  options.window = seconds(60);
  options.default_retry_after = seconds(60);
  options.block_pause = seconds(300);
  return options;
}

// Spins (bounded) until `condition` holds; returns whether it did.
template <typename Condition>
bool WaitUntil(Condition condition) {
  const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

TEST(SlidingWindowGovernor, LetsTheBudgetThroughThenWaitsForTheOldestToLeaveTheWindow) {
  FakeClock clock;  // auto-advance: every wait is recorded and taken at once
  SlidingWindowGovernor governor(Options(3), clock);
  const SteadyTime t0 = clock.Now();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(governor.Acquire(RequestPriority::kDevices, {}));
    clock.Advance(seconds(10));
  }
  EXPECT_TRUE(clock.Sleeps().empty());
  EXPECT_EQ(governor.RequestsInWindow(), 3);
  // t0+30: the send at t0 leaves the window at t0+60.
  ASSERT_TRUE(governor.Acquire(RequestPriority::kDevices, {}));
  EXPECT_THAT(clock.Sleeps(), ElementsAre(seconds(30)));
  EXPECT_EQ(clock.Now(), t0 + seconds(60));
  EXPECT_THAT(governor.SendTimes(),
              ElementsAre(t0 + seconds(10), t0 + seconds(20), t0 + seconds(60)));
  // Next one waits for t0+10 to leave: 10 s more.
  ASSERT_TRUE(governor.Acquire(RequestPriority::kDevices, {}));
  EXPECT_THAT(clock.Sleeps(), ElementsAre(seconds(30), seconds(10)));
}

TEST(SlidingWindowGovernor, ASendCountsForExactlyOneWindow) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(5), clock);
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
  clock.Advance(seconds(60) - std::chrono::nanoseconds(1));
  EXPECT_EQ(governor.RequestsInWindow(), 1);
  clock.Advance(std::chrono::nanoseconds(1));
  EXPECT_EQ(governor.RequestsInWindow(), 0);
  EXPECT_TRUE(governor.SendTimes().empty());
}

TEST(SlidingWindowGovernor, CountsOnlyRequestsAnsweredInTimeAsSurelyArrived) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(10), clock);
  const SteadyTime t0 = clock.Now();
  ASSERT_TRUE(governor.Acquire(RequestPriority::kDevices, {}));  // sent t0
  clock.Advance(seconds(1));
  ASSERT_TRUE(governor.Acquire(RequestPriority::kAlerts, {}));  // sent t0+1
  clock.Advance(seconds(1));
  governor.Answered();  // t0+2
  clock.Advance(seconds(1));
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));  // sent t0+3, never answered
  clock.Advance(seconds(1));
  governor.Answered();  // t0+4

  EXPECT_EQ(governor.AnsweredBetween(t0 - seconds(1), t0 + seconds(10)), 2)
      << "the request still in flight may not have reached the API";
  EXPECT_EQ(governor.AnsweredBetween(t0 - seconds(1), t0 + seconds(3)), 1)
      << "only one answer had come by t0+3";
  EXPECT_EQ(governor.AnsweredBetween(t0, t0 + seconds(10)), 1) << "sent after t0 only";
  EXPECT_EQ(governor.RequestsInWindow(), 3) << "the budget itself counts every send";

  // Answers pair with the oldest send still open: a send looks earlier, never later.
  clock.Advance(seconds(1));
  governor.Answered();  // t0+5, for the send at t0+3
  EXPECT_EQ(governor.AnsweredBetween(t0 + seconds(2), t0 + seconds(5)), 1);
  EXPECT_EQ(governor.AnsweredBetween(t0 + seconds(3), t0 + seconds(5)), 0);

  clock.Advance(seconds(57));  // t0+62: the sends at t0 and t0+1 left the window
  EXPECT_EQ(governor.AnsweredBetween(clock.Now() - seconds(60), clock.Now()), 1);
}

TEST(SlidingWindowGovernor, BlocksInManualTimeUntilTheWindowMoves) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(1), clock);
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
  auto second =
      std::async(std::launch::async, [&] { return governor.Acquire(RequestPriority::kSites, {}); });
  ASSERT_TRUE(WaitUntil([&] { return clock.Sleeps().size() == 1; }));
  EXPECT_EQ(clock.Sleeps()[0], seconds(60));
  clock.Advance(seconds(59));
  EXPECT_EQ(second.wait_for(milliseconds(20)), std::future_status::timeout);
  clock.Advance(seconds(1));
  ASSERT_EQ(second.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_TRUE(second.get());
  EXPECT_EQ(governor.RequestsInWindow(), 1);
}

TEST(SlidingWindowGovernor, A429PausesForRetryAfterOrTheDefault) {
  FakeClock clock;
  SlidingWindowGovernor governor(Options(100), clock);
  const SteadyTime t0 = clock.Now();
  governor.OnRateLimited(seconds(5));
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(5));
  EXPECT_TRUE(governor.RecentlyRateLimited());
  EXPECT_FALSE(governor.Blocked());
  ASSERT_TRUE(governor.Acquire(RequestPriority::kAlerts, {}));
  EXPECT_THAT(clock.Sleeps(), ElementsAre(seconds(5)));

  governor.OnRateLimited(std::nullopt);
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(65));
  ASSERT_TRUE(governor.Acquire(RequestPriority::kAlerts, {}));
  EXPECT_THAT(clock.Sleeps(), ElementsAre(seconds(5), seconds(60)));
  EXPECT_EQ(governor.PausedUntil(), std::nullopt);
  // "Recently" lasts one window past the pause, to classify a 403 that follows.
  EXPECT_TRUE(governor.RecentlyRateLimited());
  clock.Advance(seconds(60));
  EXPECT_FALSE(governor.RecentlyRateLimited());
}

TEST(SlidingWindowGovernor, NoRetryAfterPausesLongerThanMaxPause) {
  FakeClock clock(/*auto_advance=*/false);
  GovernorOptions options = Options(100);
  options.max_pause = seconds(600);
  SlidingWindowGovernor governor(options, clock);
  const SteadyTime t0 = clock.Now();
  // Retry-After: 999999999 (what ParseRetryAfter saturates to) must not silence the account.
  governor.OnRateLimited(kRetryAfterCeiling);
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(600));
  governor.OnBlocked(kRetryAfterCeiling);
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(600));
  // A max_pause below the block pause cannot shorten the block.
  GovernorOptions short_max = Options(100);
  short_max.max_pause = seconds(10);
  SlidingWindowGovernor strict(short_max, clock);
  strict.OnBlocked(std::chrono::hours(2));
  EXPECT_EQ(strict.PausedUntil(), t0 + seconds(300));
}

TEST(SlidingWindowGovernor, ABlockPausesForAtLeastTheBlockPause) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(100), clock);
  const SteadyTime t0 = clock.Now();
  EXPECT_FALSE(governor.RecentlyRateLimited());
  governor.OnBlocked(seconds(30));
  EXPECT_TRUE(governor.Blocked());
  EXPECT_TRUE(governor.RecentlyRateLimited());
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(300));
  governor.OnBlocked(seconds(900));
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(900));
  // A shorter 429 pause does not shorten the block.
  governor.OnRateLimited(seconds(1));
  EXPECT_EQ(governor.PausedUntil(), t0 + seconds(900));
  clock.Advance(seconds(899));
  EXPECT_TRUE(governor.Blocked());
  clock.Advance(seconds(1));
  EXPECT_FALSE(governor.Blocked());
  EXPECT_EQ(governor.PausedUntil(), std::nullopt);
}

TEST(SlidingWindowGovernor, ALoweredBudgetWaitsUntilEnoughSendsLeaveTheWindow) {
  FakeClock clock;
  SlidingWindowGovernor governor(Options(3), clock);
  const SteadyTime t0 = clock.Now();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
    clock.Advance(seconds(10));
  }
  governor.SetBudget(1);
  EXPECT_EQ(governor.Budget(), 1);
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
  // All three must leave: the last one (t0+20) does so at t0+80.
  EXPECT_EQ(clock.Now(), t0 + seconds(80));
  governor.SetBudget(0);
  EXPECT_EQ(governor.Budget(), 1);
}

TEST(SlidingWindowGovernor, ARaisedBudgetOrShorterWindowReleasesWaitersAtOnce) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(1), clock);
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
  auto waiter =
      std::async(std::launch::async, [&] { return governor.Acquire(RequestPriority::kSites, {}); });
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 1 && !clock.Sleeps().empty(); }));
  governor.SetBudget(2);
  ASSERT_EQ(waiter.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_TRUE(waiter.get());

  auto third =
      std::async(std::launch::async, [&] { return governor.Acquire(RequestPriority::kSites, {}); });
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 1 && clock.Sleeps().size() == 2; }));
  clock.Advance(seconds(5));
  governor.SetWindow(seconds(5));  // both sends are now outside the window
  EXPECT_EQ(governor.Window(), seconds(5));
  ASSERT_EQ(third.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_TRUE(third.get());
}

TEST(SlidingWindowGovernor, ServesTheLowestPriorityValueFirstAndFifoAmongEquals) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(1), clock);
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));

  std::mutex mutex;
  std::vector<std::string> order;
  auto start = [&](RequestPriority priority, std::string name) {
    return std::async(std::launch::async, [&, priority, name] {
      const bool ok = governor.Acquire(priority, {});
      std::lock_guard lock(mutex);
      order.push_back(name);
      return ok;
    });
  };
  // Arrival order: devices-1, devices-2, alerts, rate: each waits before the next arrives.
  // Served: rate status (it protects the budget), alerts, then the devices in arrival order.
  auto devices_1 = start(RequestPriority::kDevices, "devices-1");
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 1; }));
  auto devices_2 = start(RequestPriority::kDevices, "devices-2");
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 2; }));
  auto alerts = start(RequestPriority::kAlerts, "alerts");
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 3; }));
  auto rate = start(RequestPriority::kRateStatus, "rate");
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 4; }));

  for (int expected_done = 1; expected_done <= 4; ++expected_done) {
    clock.Advance(seconds(60));
    ASSERT_TRUE(WaitUntil([&] {
      std::lock_guard lock(mutex);
      return static_cast<int>(order.size()) == expected_done;
    }));
    // Exactly one per window.
    EXPECT_EQ(governor.Waiting(), 4 - expected_done);
  }
  EXPECT_TRUE(devices_1.get() && devices_2.get() && alerts.get() && rate.get());
  EXPECT_EQ(order, (std::vector<std::string>{"rate", "alerts", "devices-1", "devices-2"}));
}

TEST(SlidingWindowGovernor, AStopEndsAWaitPromptlyWithoutCountingASend) {
  FakeClock clock(/*auto_advance=*/false);
  SlidingWindowGovernor governor(Options(1), clock);
  ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
  std::stop_source head_stop, queued_stop;
  auto head = std::async(std::launch::async, [&] {
    return governor.Acquire(RequestPriority::kAlerts, head_stop.get_token());
  });
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 1; }));
  auto queued = std::async(std::launch::async, [&] {
    return governor.Acquire(RequestPriority::kDevices, queued_stop.get_token());
  });
  ASSERT_TRUE(WaitUntil([&] { return governor.Waiting() == 2; }));

  queued_stop.request_stop();  // waiting behind the head, on the queue
  ASSERT_EQ(queued.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_FALSE(queued.get());
  const auto stopped_at = std::chrono::steady_clock::now();
  head_stop.request_stop();  // sleeping on the clock
  ASSERT_EQ(head.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, milliseconds(500));
  EXPECT_FALSE(head.get());
  EXPECT_EQ(governor.Waiting(), 0);
  EXPECT_EQ(governor.RequestsInWindow(), 1);

  std::stop_source already;
  already.request_stop();
  EXPECT_FALSE(governor.Acquire(RequestPriority::kAuth, already.get_token()));
  EXPECT_EQ(governor.RequestsInWindow(), 1);
}

TEST(SlidingWindowGovernor, WorksOnTheRealClock) {
  GovernorOptions options = Options(2);
  options.window = milliseconds(50);
  SlidingWindowGovernor governor(options, SystemClock());
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(governor.Acquire(RequestPriority::kSites, {}));
  // Five sends at two per 50 ms need at least two full windows.
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(100));
  EXPECT_LE(governor.RequestsInWindow(), 2);
}

}  // namespace
}  // namespace drmm::datto
