// The account's request budget as the real API enforces it: a sliding window (600 requests in
// 60 s by default) shared with "other integrations" of the same account, a delay on every
// response above the cut-off ratio, 429 with Retry-After above the limit, and a temporary 403 IP
// block for clients that keep sending while a 429's Retry-After has not elapsed.
//
// The block rule: every request arriving before the latest 429's Retry-After has elapsed is a
// violation (and is answered 429 again); the `block_after`-th violation starts a block of
// `block_duration`, during which every request gets 403. Requests answered 429 or 403 are not
// added to the window (they never reached the API); every other request is.
//
// Pure logic: times are passed in, nothing sleeps; not thread-safe (the caller locks).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "common/clock.h"

namespace drmm::sim {

struct RateLimitSettings {
  int limit = 600;
  Duration window = std::chrono::seconds(60);
  double cutoff_ratio = 0.9;
  Duration block_duration = std::chrono::minutes(5);
  int block_after = 10;
};

enum class RateVerdict { kAllow, kThrottle, kRateLimited, kBlocked };

struct RateDecision {
  RateVerdict verdict = RateVerdict::kAllow;
  int retry_after_seconds = 0;  // for kRateLimited and kBlocked: >= 1
};

class RateLimiter {
 public:
  RateLimiter(RateLimitSettings settings, SteadyTime now);

  // Decides one request arriving at `now`; kAllow and kThrottle count it in the window.
  RateDecision Admit(SteadyTime now);
  // A 429 forced by a fault: starts a Retry-After period as a real 429 would
  // (`retry_after` of zero means no header was sent: the period is one window).
  void ForceRateLimited(SteadyTime now, Duration retry_after);
  // A block forced by a fault.
  void ForceBlock(SteadyTime now, Duration duration);
  // Other integrations of the account: `per_window` requests per window, evenly spaced
  // ("requests per minute" of the default 60 s window). Their part of the window is replaced
  // at once by a full window at the new rate, as if they had been sending at it all along.
  void SetOtherConsumers(double per_window, SteadyTime now);
  void SetLimit(int limit);

  // Requests in the window at `now` (this simulator's and the other consumers').
  std::int64_t Count(SteadyTime now);
  std::int64_t OtherCount(SteadyTime now);
  // The most requests the window held (others' included) when one of this simulator's requests
  // was admitted, since construction or ResetPeak(): what the account used at its busiest.
  std::int64_t PeakCount() const { return peak_; }
  void ResetPeak() { peak_ = 0; }
  const RateLimitSettings& settings() const { return settings_; }
  bool Blocked(SteadyTime now) const { return now < block_until_; }

 private:
  void Advance(SteadyTime now);
  // The earliest time at which the window holds fewer than `limit` requests.
  SteadyTime EarliestRoom(SteadyTime now) const;
  static int CeilSeconds(Duration d);

  RateLimitSettings settings_;
  std::deque<SteadyTime> own_;     // admitted requests, oldest first
  std::deque<SteadyTime> others_;  // other consumers' requests, oldest first
  double others_per_window_ = 0;
  Duration others_period_{0};
  SteadyTime next_other_{};
  SteadyTime penalty_until_{};  // the latest 429's Retry-After ends here
  int violations_ = 0;
  SteadyTime block_until_{};
  std::int64_t peak_ = 0;
};

}  // namespace drmm::sim
