// A Clock for tests. In auto-advance mode (the default) SleepUntil jumps time forward to the
// deadline at once, so code that waits minutes runs in microseconds and the waits can be
// asserted exactly. In manual mode sleepers block until the test calls Advance().
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

#include "common/clock.h"

namespace drmm::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(bool auto_advance = true) : auto_advance_(auto_advance) {}

  SteadyTime Now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  WallTime WallNow() const override {
    std::lock_guard lock(mutex_);
    return wall_epoch_ + std::chrono::duration_cast<WallTime::duration>(now_ - SteadyTime{});
  }
  bool SleepUntil(SteadyTime deadline, const std::stop_token& stop) override {
    std::unique_lock lock(mutex_);
    if (stop.stop_requested()) return false;
    if (deadline > now_) sleeps_.push_back(deadline - now_);
    if (auto_advance_) {
      if (deadline > now_) now_ = deadline;
      cv_.notify_all();
      return true;
    }
    const bool reached = cv_.wait(lock, stop, [&] { return now_ >= deadline; });
    return reached;
  }

  void Advance(Duration d) {
    std::lock_guard lock(mutex_);
    now_ += d;
    cv_.notify_all();
  }
  // Every positive wait requested so far, in order.
  std::vector<Duration> Sleeps() const {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  void SetWallEpoch(WallTime epoch) {
    std::lock_guard lock(mutex_);
    wall_epoch_ = epoch;
  }

 private:
  const bool auto_advance_;
  mutable std::mutex mutex_;
  std::condition_variable_any cv_;
  SteadyTime now_{std::chrono::hours(1)};
  // 2026-01-01T00:00:00Z minus the initial steady offset, so WallNow() starts at a round number.
  WallTime wall_epoch_{std::chrono::seconds(1767225600) - std::chrono::hours(1)};
  std::vector<Duration> sleeps_;
};

}  // namespace drmm::testing
