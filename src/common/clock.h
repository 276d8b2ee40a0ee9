// Time as the rest of the code sees it. Everything that waits or timestamps goes through a Clock,
// so tests can run schedules, token lifetimes and rate windows without sleeping for real.
#pragma once

#include <chrono>
#include <stop_token>

namespace drmm {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time: schedules, windows, timeouts.
  virtual SteadyTime Now() const = 0;
  // Calendar time: what is exported as *_timestamp_seconds.
  virtual WallTime WallNow() const = 0;
  // Blocks until `deadline` or until `stop` is requested, whichever is first.
  // Returns false when it returned because of `stop`.
  virtual bool SleepUntil(SteadyTime deadline, const std::stop_token& stop) = 0;

  bool SleepFor(Duration d, const std::stop_token& stop) { return SleepUntil(Now() + d, stop); }
};

// The process-wide real clock (thread-safe).
Clock& SystemClock();

// Seconds since the Unix epoch, as Prometheus timestamps are written.
double ToUnixSeconds(WallTime t);

}  // namespace drmm
