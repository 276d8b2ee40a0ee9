#include "common/clock.h"

#include <condition_variable>
#include <mutex>

namespace drmm {
namespace {

class RealClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  bool SleepUntil(SteadyTime deadline, const std::stop_token& stop) override {
    // A condition variable that is never notified: only the deadline or the stop request ends
    // the wait, which is what makes shutdown prompt in the middle of a long back-off.
    std::mutex mutex;
    std::condition_variable_any cv;
    std::unique_lock lock(mutex);
    return !cv.wait_until(lock, stop, deadline, [] { return false; }) && !stop.stop_requested();
  }
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

double ToUnixSeconds(WallTime t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace drmm
