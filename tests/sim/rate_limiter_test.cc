#include "sim/rate_limiter.h"

#include <gtest/gtest.h>

namespace drmm::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr SteadyTime kT0{std::chrono::hours(1)};

RateLimitSettings Small() {
  RateLimitSettings s;
  s.limit = 10;
  s.window = seconds(10);
  s.cutoff_ratio = 0.5;
  s.block_duration = seconds(30);
  s.block_after = 3;
  return s;
}

TEST(SimRateLimiter, AllowsThenThrottlesAboveTheCutoffThenLimits) {
  RateLimiter limiter(Small(), kT0);
  for (int i = 1; i <= 10; ++i) {
    const RateDecision d = limiter.Admit(kT0 + milliseconds(100 * (i - 1)));
    // The 6th request takes the window above half of the limit.
    EXPECT_EQ(d.verdict, i <= 5 ? RateVerdict::kAllow : RateVerdict::kThrottle) << i;
  }
  EXPECT_EQ(limiter.Count(kT0 + seconds(1)), 10);
  const RateDecision over = limiter.Admit(kT0 + seconds(1));
  EXPECT_EQ(over.verdict, RateVerdict::kRateLimited);
  // The oldest request (t0) leaves the window at t0 + 10 s: 9 s from now.
  EXPECT_EQ(over.retry_after_seconds, 9);
  EXPECT_EQ(limiter.Count(kT0 + seconds(1)), 10);  // the 429 is not counted
}

TEST(SimRateLimiter, RetryAfterIsAtLeastOneSecondAndRoomExistsAfterIt) {
  RateLimiter limiter(Small(), kT0);
  for (int i = 0; i < 10; ++i) limiter.Admit(kT0);
  const SteadyTime now = kT0 + milliseconds(9800);
  const RateDecision over = limiter.Admit(now);
  ASSERT_EQ(over.verdict, RateVerdict::kRateLimited);
  EXPECT_EQ(over.retry_after_seconds, 1);  // 200 ms rounded up
  const RateDecision later = limiter.Admit(now + seconds(over.retry_after_seconds));
  EXPECT_NE(later.verdict, RateVerdict::kRateLimited);
  EXPECT_NE(later.verdict, RateVerdict::kBlocked);
}

TEST(SimRateLimiter, RequestsDuringRetryAfterLeadToABlockThatExpires) {
  RateLimiter limiter(Small(), kT0);
  for (int i = 0; i < 10; ++i) limiter.Admit(kT0);
  const SteadyTime t = kT0 + seconds(2);
  ASSERT_EQ(limiter.Admit(t).verdict, RateVerdict::kRateLimited);  // Retry-After: 8
  // Two more inside the Retry-After: 429 again (violations 1 and 2), with the time left.
  const RateDecision v1 = limiter.Admit(t + seconds(1));
  EXPECT_EQ(v1.verdict, RateVerdict::kRateLimited);
  EXPECT_EQ(v1.retry_after_seconds, 7);
  EXPECT_EQ(limiter.Admit(t + seconds(2)).verdict, RateVerdict::kRateLimited);
  // The third violation starts the block.
  const RateDecision blocked = limiter.Admit(t + seconds(3));
  EXPECT_EQ(blocked.verdict, RateVerdict::kBlocked);
  EXPECT_EQ(blocked.retry_after_seconds, 30);
  EXPECT_TRUE(limiter.Blocked(t + seconds(32)));
  EXPECT_EQ(limiter.Admit(t + seconds(32)).verdict, RateVerdict::kBlocked);
  // After the block, the window is empty again.
  EXPECT_EQ(limiter.Admit(t + seconds(33)).verdict, RateVerdict::kAllow);
}

TEST(SimRateLimiter, WaitingOutRetryAfterResetsTheViolations) {
  RateLimiter limiter(Small(), kT0);
  for (int i = 0; i < 10; ++i) limiter.Admit(kT0);
  ASSERT_EQ(limiter.Admit(kT0 + seconds(5)).verdict, RateVerdict::kRateLimited);  // until t0+10
  EXPECT_EQ(limiter.Admit(kT0 + seconds(6)).verdict, RateVerdict::kRateLimited);  // violation 1
  EXPECT_EQ(limiter.Admit(kT0 + seconds(7)).verdict, RateVerdict::kRateLimited);  // violation 2
  // Respecting the Retry-After: the window has emptied.
  EXPECT_EQ(limiter.Admit(kT0 + seconds(10)).verdict, RateVerdict::kAllow);
  for (int i = 0; i < 9; ++i) limiter.Admit(kT0 + seconds(10));
  ASSERT_EQ(limiter.Admit(kT0 + seconds(11)).verdict, RateVerdict::kRateLimited);
  // One new violation is not enough for a block: the count started again.
  EXPECT_EQ(limiter.Admit(kT0 + seconds(12)).verdict, RateVerdict::kRateLimited);
  EXPECT_FALSE(limiter.Blocked(kT0 + seconds(12)));
}

TEST(SimRateLimiter, OtherConsumersFillTheWindowEvenly) {
  RateLimiter limiter(Small(), kT0);
  limiter.SetOtherConsumers(5, kT0);  // 5 per 10 s window: one every 2 s
  EXPECT_EQ(limiter.OtherCount(kT0 + milliseconds(1999)), 5);
  EXPECT_EQ(limiter.OtherCount(kT0 + seconds(2)), 5);  // one left, one arrived
  EXPECT_EQ(limiter.OtherCount(kT0 + seconds(10)), 5);
  EXPECT_EQ(limiter.OtherCount(kT0 + seconds(60)), 5);  // steady state: one window's worth
  // They share the limit: 5 more own requests fill the budget of 10.
  const SteadyTime t = kT0 + seconds(60);
  for (int i = 0; i < 5; ++i) EXPECT_NE(limiter.Admit(t).verdict, RateVerdict::kRateLimited);
  const RateDecision over = limiter.Admit(t);
  EXPECT_EQ(over.verdict, RateVerdict::kRateLimited);
  // Each other request leaving the window is replaced by a new one, so room only comes when
  // this client's own requests leave: 10 s.
  EXPECT_EQ(over.retry_after_seconds, 10);
  limiter.SetOtherConsumers(0, t);
  EXPECT_EQ(limiter.OtherCount(t + seconds(10)), 0);
}

// They have been sending all along: the window holds a full window of their requests the moment
// they are set, not only what arrives afterwards.
TEST(SimRateLimiter, OtherConsumersFillTheWindowFromTheMomentTheyAreSet) {
  RateLimiter limiter(Small(), kT0);
  limiter.Admit(kT0);
  limiter.SetOtherConsumers(6, kT0);
  EXPECT_EQ(limiter.OtherCount(kT0), 6);
  EXPECT_EQ(limiter.Count(kT0), 7);
  // Three more own requests fill the budget of 10 at once.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Admit(kT0).verdict, RateVerdict::kThrottle);
  EXPECT_EQ(limiter.Admit(kT0).verdict, RateVerdict::kRateLimited);

  // A new rate replaces theirs at once; a fraction rounds up (2.5 per window: 3 in it now).
  limiter.SetOtherConsumers(2.5, kT0 + seconds(1));
  EXPECT_EQ(limiter.OtherCount(kT0 + seconds(1)), 3);
  limiter.SetOtherConsumers(600, kT0 + seconds(2));  // per 10 s window: one every 16.7 ms
  EXPECT_EQ(limiter.OtherCount(kT0 + seconds(2)), 600);
  EXPECT_EQ(limiter.OtherCount(kT0 + milliseconds(7005)), 600);
  limiter.SetOtherConsumers(0, kT0 + seconds(8));
  EXPECT_EQ(limiter.OtherCount(kT0 + seconds(8)), 0);
}

TEST(SimRateLimiter, PeakIsTheBusiestWindowSeenAtAnAdmittedRequestOthersIncluded) {
  RateLimiter limiter(Small(), kT0);
  EXPECT_EQ(limiter.PeakCount(), 0);
  limiter.SetOtherConsumers(3, kT0);
  limiter.Admit(kT0);
  limiter.Admit(kT0 + seconds(1));
  EXPECT_EQ(limiter.PeakCount(), 5);  // 3 of theirs and 2 of ours
  // Ours leave the window; the peak stays what it was.
  limiter.Admit(kT0 + seconds(30));
  EXPECT_EQ(limiter.Count(kT0 + seconds(30)), 4);
  EXPECT_EQ(limiter.PeakCount(), 5);
  // A refused request is not counted in the window, so it sets no peak.
  for (int i = 0; i < 6; ++i) limiter.Admit(kT0 + seconds(31));
  EXPECT_EQ(limiter.PeakCount(), 10);
  EXPECT_EQ(limiter.Admit(kT0 + seconds(31)).verdict, RateVerdict::kRateLimited);
  EXPECT_EQ(limiter.PeakCount(), 10);
  limiter.ResetPeak();
  EXPECT_EQ(limiter.PeakCount(), 0);
}

TEST(SimRateLimiter, RetryAfterAccountsForOtherConsumersArrivingMeanwhile) {
  RateLimitSettings s = Small();
  s.limit = 4;
  RateLimiter limiter(s, kT0);
  limiter.SetOtherConsumers(2, kT0);       // one every 5 s: at t0+5, t0+10, ...
  const SteadyTime t = kT0 + seconds(11);  // others at t0+5 and t0+10 are in the window
  limiter.Admit(t);
  limiter.Admit(t);
  ASSERT_EQ(limiter.Count(t), 4);
  const RateDecision over = limiter.Admit(t);
  ASSERT_EQ(over.verdict, RateVerdict::kRateLimited);
  // t0+5 leaves at t0+15 (4 s), but another arrives at t0+15 itself: still 4. The next leaves
  // at t0+20 and the arrival at t0+20 refills it; own requests leave at t0+21: 10 s.
  EXPECT_EQ(over.retry_after_seconds, 10);
}

TEST(SimRateLimiter, ForcedRateLimitAndBlock) {
  RateLimiter limiter(Small(), kT0);
  limiter.ForceRateLimited(kT0, seconds(3));
  EXPECT_EQ(limiter.Admit(kT0 + seconds(1)).verdict, RateVerdict::kRateLimited);
  EXPECT_EQ(limiter.Admit(kT0 + seconds(3)).verdict, RateVerdict::kAllow);
  limiter.ForceRateLimited(kT0 + seconds(4), seconds(0));  // no Retry-After: a whole window
  EXPECT_EQ(limiter.Admit(kT0 + seconds(13)).verdict, RateVerdict::kRateLimited);
  EXPECT_EQ(limiter.Admit(kT0 + seconds(14)).verdict, RateVerdict::kAllow);
  limiter.ForceBlock(kT0 + seconds(20), seconds(5));
  const RateDecision blocked = limiter.Admit(kT0 + seconds(21));
  EXPECT_EQ(blocked.verdict, RateVerdict::kBlocked);
  EXPECT_EQ(blocked.retry_after_seconds, 4);
  EXPECT_EQ(limiter.Admit(kT0 + seconds(25)).verdict, RateVerdict::kAllow);
}

}  // namespace
}  // namespace drmm::sim
