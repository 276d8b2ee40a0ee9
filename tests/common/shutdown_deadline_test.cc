#include "common/shutdown_deadline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

namespace drmm {
namespace {

using namespace std::chrono_literals;

TEST(ShutdownDeadline, RunsTheExpiryWhenTheCleanPathOutlastsIt) {
  std::atomic<bool> expired{false};
  {
    const ShutdownDeadline deadline(SystemClock(), 20ms, [&] { expired = true; });
    // The "clean shutdown" that takes too long, bounded so a broken deadline fails, not hangs.
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!expired && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
  }
  EXPECT_TRUE(expired);
}

TEST(ShutdownDeadline, AFinishedShutdownCancelsItAtOnce) {
  std::atomic<bool> expired{false};
  const auto start = std::chrono::steady_clock::now();
  {
    const ShutdownDeadline deadline(SystemClock(), 1h, [&] { expired = true; });
  }
  EXPECT_FALSE(expired);
  // Not a speed target: an hour-long wait here would mean the cancel did not work.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

}  // namespace
}  // namespace drmm
