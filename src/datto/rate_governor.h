// The production RequestGate: keeps one account's requests under its share of Datto's
// 600-per-60-s sliding window, pauses everything after a 429 or during a 403 block, and when
// several collectors wait, serves the lowest RequestPriority first (FIFO among equals) so the
// alert walk is not starved by a long device walk. All waiting goes through the Clock, so the
// window arithmetic runs on a FakeClock in tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "datto/request_gate.h"

namespace drmm::datto {

struct GovernorOptions {
  int budget = 300;  // requests per window (this exporter's share of the account's 600)
  Duration window = std::chrono::seconds(60);
  Duration default_retry_after = std::chrono::seconds(60);  // a 429 without Retry-After
  Duration block_pause = std::chrono::seconds(300);         // minimum pause after a 403 block
  // The longest pause a Retry-After can ask for (rate_limit.max_pause): a typo or a broken proxy
  // must not silence the account for days. Never below default_retry_after or block_pause.
  Duration max_pause = std::chrono::hours(1);
};

class SlidingWindowGovernor final : public RequestGate {
 public:
  SlidingWindowGovernor(GovernorOptions options, Clock& clock);
  SlidingWindowGovernor(const SlidingWindowGovernor&) = delete;
  SlidingWindowGovernor& operator=(const SlidingWindowGovernor&) = delete;

  // Returns once fewer than Budget() requests were sent in (now - window, now], no pause is in
  // force and no waiter of a lower priority value (or an equal one that came first) is ahead.
  bool Acquire(RequestPriority priority, const std::stop_token& stop) override;
  // Pairs the oldest unanswered send with now. Answers may come in another order than the
  // sends; pairing with the oldest makes a send look earlier, never later, so the count below
  // can only come out low.
  void Answered() override;
  // Pause for retry_after (at most max_pause), or default_retry_after without one.
  void OnRateLimited(std::optional<Duration> retry_after) override;
  // Pause and mark blocked for max(min(retry_after, max_pause), block_pause).
  void OnBlocked(std::optional<Duration> retry_after) override;
  // While a pause is in force, and for one window after it ended: a 403 right after a pause is
  // the block that keeps following 429s.
  bool RecentlyRateLimited() const override;

  // Runtime adjustments (e.g. from /system/request_rate); waiters re-evaluate at once.
  void SetBudget(int budget);  // values below 1 are taken as 1
  void SetWindow(Duration window);

  // Read-outs for metrics and tests.
  int RequestsInWindow() const;
  int Budget() const;
  Duration Window() const;
  bool Blocked() const;
  std::optional<SteadyTime> PausedUntil() const;  // nullopt when no pause is in force
  std::vector<SteadyTime> SendTimes() const;      // sends in the current window, oldest first
  // Requests sent after `sent_after` and answered by `answered_by`: the ones an API that counts
  // arrivals has surely counted at any moment after `answered_by`. (A request still in flight
  // may not have reached it yet; counting it would make the other consumers look smaller.)
  int AnsweredBetween(SteadyTime sent_after, SteadyTime answered_by) const;
  int Waiting() const;  // callers blocked in Acquire

 private:
  using QueueKey = std::pair<int, std::uint64_t>;  // (priority, arrival): begin() goes next

  void PruneLocked(SteadyTime now);
  SteadyTime ReadyAtLocked(SteadyTime now) const;
  void WakeAllLocked();
  // retry_after cut to max_pause, and said in the log when it was cut.
  Duration CappedLocked(Duration retry_after) const;

  const GovernorOptions options_;
  Clock& clock_;

  mutable std::mutex mutex_;
  std::condition_variable_any queue_changed_;  // the head of queue_ may have changed
  int budget_;
  Duration window_;
  std::deque<SteadyTime> sends_;       // ascending; may hold expired entries until pruned
  std::deque<SteadyTime> unanswered_;  // send times without an answer yet, ascending
  struct AnsweredSend {
    SteadyTime sent;
    SteadyTime answered;
  };
  std::deque<AnsweredSend> answered_;  // ascending in both; pruned with sends_
  std::set<QueueKey> queue_;
  std::uint64_t next_arrival_ = 0;
  std::map<std::uint64_t, std::stop_source*> sleeping_;  // waiters in Clock::SleepUntil
  std::optional<SteadyTime> paused_until_;
  std::optional<SteadyTime> blocked_until_;
};

}  // namespace drmm::datto
