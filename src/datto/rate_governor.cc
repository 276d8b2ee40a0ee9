#include "datto/rate_governor.h"

#include <algorithm>
#include <string>

#include "common/log.h"

namespace drmm::datto {

SlidingWindowGovernor::SlidingWindowGovernor(GovernorOptions options, Clock& clock)
    : options_(options),
      clock_(clock),
      budget_(std::max(1, options.budget)),
      window_(std::max<Duration>(options.window, std::chrono::milliseconds(1))) {}

void SlidingWindowGovernor::PruneLocked(SteadyTime now) {
  // A request sent at t counts while t > now - window.
  while (!sends_.empty() && sends_.front() <= now - window_) sends_.pop_front();
  while (!answered_.empty() && answered_.front().sent <= now - window_) answered_.pop_front();
}

SteadyTime SlidingWindowGovernor::ReadyAtLocked(SteadyTime now) const {
  SteadyTime ready = now;
  if (paused_until_) ready = std::max(ready, *paused_until_);
  const auto count = static_cast<int>(sends_.size());
  if (count >= budget_) {
    // Enough of the oldest sends must leave the window to bring the count below the budget
    // (more than one when the budget was just lowered).
    ready = std::max(ready, sends_[static_cast<std::size_t>(count - budget_)] + window_);
  }
  return ready;
}

void SlidingWindowGovernor::WakeAllLocked() {
  for (auto& [arrival, wake] : sleeping_) wake->request_stop();
  queue_changed_.notify_all();
}

bool SlidingWindowGovernor::Acquire(RequestPriority priority, const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  const QueueKey key{static_cast<int>(priority), next_arrival_++};
  queue_.insert(key);
  auto leave = [&] {
    queue_.erase(key);
    queue_changed_.notify_all();
  };
  while (true) {
    if (stop.stop_requested()) {
      leave();
      return false;
    }
    if (*queue_.begin() != key) {
      queue_changed_.wait(lock, stop, [&] { return *queue_.begin() == key; });
      continue;
    }
    const SteadyTime now = clock_.Now();
    PruneLocked(now);
    const SteadyTime ready = ReadyAtLocked(now);
    if (ready <= now) {
      sends_.push_back(now);
      unanswered_.push_back(now);
      leave();
      return true;
    }
    // Sleep on the Clock (so FakeClock controls it), but let budget changes and the caller's
    // stop cut the sleep short.
    std::stop_source wake;
    std::stop_callback forward(stop, [&wake] { wake.request_stop(); });
    sleeping_[key.second] = &wake;
    lock.unlock();
    clock_.SleepUntil(ready, wake.get_token());
    lock.lock();
    sleeping_.erase(key.second);
  }
}

void SlidingWindowGovernor::Answered() {
  std::lock_guard lock(mutex_);
  if (unanswered_.empty()) return;
  const SteadyTime now = clock_.Now();
  answered_.push_back({unanswered_.front(), now});
  unanswered_.pop_front();
  PruneLocked(now);
}

int SlidingWindowGovernor::AnsweredBetween(SteadyTime sent_after, SteadyTime answered_by) const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(std::count_if(answered_.begin(), answered_.end(), [&](const auto& a) {
    return a.sent > sent_after && a.answered <= answered_by;
  }));
}

Duration SlidingWindowGovernor::CappedLocked(Duration retry_after) const {
  const Duration max_pause =
      std::max({options_.max_pause, options_.default_retry_after, options_.block_pause});
  if (retry_after <= max_pause) return std::max(retry_after, Duration::zero());
  LogWarn("Retry-After longer than rate_limit.max_pause; pausing for max_pause instead",
          {{"retry_after_seconds",
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(retry_after).count())},
           {"max_pause_seconds",
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(max_pause).count())}});
  return max_pause;
}

void SlidingWindowGovernor::OnRateLimited(std::optional<Duration> retry_after) {
  std::lock_guard lock(mutex_);
  const Duration pause = retry_after ? CappedLocked(*retry_after) : options_.default_retry_after;
  const SteadyTime until = clock_.Now() + pause;
  paused_until_ = paused_until_ ? std::max(*paused_until_, until) : until;
}

void SlidingWindowGovernor::OnBlocked(std::optional<Duration> retry_after) {
  std::lock_guard lock(mutex_);
  const Duration pause =
      std::max(CappedLocked(retry_after.value_or(Duration::zero())), options_.block_pause);
  const SteadyTime until = clock_.Now() + pause;
  paused_until_ = paused_until_ ? std::max(*paused_until_, until) : until;
  blocked_until_ = blocked_until_ ? std::max(*blocked_until_, until) : until;
}

bool SlidingWindowGovernor::RecentlyRateLimited() const {
  std::lock_guard lock(mutex_);
  return paused_until_ && clock_.Now() < *paused_until_ + window_;
}

void SlidingWindowGovernor::SetBudget(int budget) {
  std::lock_guard lock(mutex_);
  budget_ = std::max(1, budget);
  WakeAllLocked();
}

void SlidingWindowGovernor::SetWindow(Duration window) {
  std::lock_guard lock(mutex_);
  window_ = std::max<Duration>(window, std::chrono::milliseconds(1));
  WakeAllLocked();
}

int SlidingWindowGovernor::RequestsInWindow() const {
  std::lock_guard lock(mutex_);
  const SteadyTime horizon = clock_.Now() - window_;
  return static_cast<int>(
      std::count_if(sends_.begin(), sends_.end(), [&](SteadyTime t) { return t > horizon; }));
}

int SlidingWindowGovernor::Budget() const {
  std::lock_guard lock(mutex_);
  return budget_;
}

Duration SlidingWindowGovernor::Window() const {
  std::lock_guard lock(mutex_);
  return window_;
}

bool SlidingWindowGovernor::Blocked() const {
  std::lock_guard lock(mutex_);
  return blocked_until_ && clock_.Now() < *blocked_until_;
}

std::optional<SteadyTime> SlidingWindowGovernor::PausedUntil() const {
  std::lock_guard lock(mutex_);
  if (paused_until_ && clock_.Now() < *paused_until_) return paused_until_;
  return std::nullopt;
}

std::vector<SteadyTime> SlidingWindowGovernor::SendTimes() const {
  std::lock_guard lock(mutex_);
  const SteadyTime horizon = clock_.Now() - window_;
  std::vector<SteadyTime> out;
  std::copy_if(sends_.begin(), sends_.end(), std::back_inserter(out),
               [&](SteadyTime t) { return t > horizon; });
  return out;
}

int SlidingWindowGovernor::Waiting() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(queue_.size());
}

}  // namespace drmm::datto
