#include "common/single_flight.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

namespace drmm {
namespace {

constexpr auto kWaitLimit = std::chrono::seconds(10);

// A cache of one int filled by a single flight, the way the token provider and the page-size
// cache use it.
struct Cache {
  std::mutex mutex;
  SingleFlight flight;
  std::optional<int> value;

  int Waiters() {
    std::lock_guard lock(mutex);
    return flight.Waiters();
  }
  void AwaitWaiters(int count) {
    const auto deadline = std::chrono::steady_clock::now() + kWaitLimit;
    while (Waiters() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
};

TEST(SingleFlightTest, WaitersWakeWhenTheFlightFinishesAndSeeItsResult) {
  Cache cache;
  {
    std::lock_guard lock(cache.mutex);
    ASSERT_FALSE(cache.flight.InFlight());
    cache.flight.Start();
    EXPECT_TRUE(cache.flight.InFlight());
  }
  auto waiter = [&] {
    std::unique_lock lock(cache.mutex);
    const bool finished = cache.flight.AwaitFinish(lock, {});
    return finished ? cache.value : std::nullopt;
  };
  auto first = std::async(std::launch::async, waiter);
  auto second = std::async(std::launch::async, waiter);
  cache.AwaitWaiters(2);
  EXPECT_EQ(cache.Waiters(), 2);
  EXPECT_EQ(first.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  {
    std::lock_guard lock(cache.mutex);
    cache.value = 42;
    cache.flight.Finish();
    EXPECT_FALSE(cache.flight.InFlight());
  }
  EXPECT_EQ(first.get(), 42);
  EXPECT_EQ(second.get(), 42);
  EXPECT_EQ(cache.Waiters(), 0);
}

TEST(SingleFlightTest, AStopRequestEndsTheWaitWithFalse) {
  Cache cache;
  {
    std::lock_guard lock(cache.mutex);
    cache.flight.Start();
  }
  std::stop_source stop;
  auto waiter = std::async(std::launch::async, [&] {
    std::unique_lock lock(cache.mutex);
    return cache.flight.AwaitFinish(lock, stop.get_token());
  });
  cache.AwaitWaiters(1);
  stop.request_stop();
  EXPECT_FALSE(waiter.get());
  std::lock_guard lock(cache.mutex);
  EXPECT_TRUE(cache.flight.InFlight());  // the flight itself goes on
  EXPECT_EQ(cache.flight.Waiters(), 0);
}

TEST(SingleFlightTest, AWaiterReturnsForTheFlightItAwaitedEvenIfAnotherStarted) {
  Cache cache;
  {
    std::lock_guard lock(cache.mutex);
    cache.flight.Start();
  }
  auto waiter = std::async(std::launch::async, [&] {
    std::unique_lock lock(cache.mutex);
    return cache.flight.AwaitFinish(lock, {});
  });
  cache.AwaitWaiters(1);
  {
    // Finished and restarted before the waiter gets the lock back: it must not wait for the
    // second flight too.
    std::lock_guard lock(cache.mutex);
    cache.flight.Finish();
    cache.flight.Start();
  }
  ASSERT_EQ(waiter.wait_for(kWaitLimit), std::future_status::ready);
  EXPECT_TRUE(waiter.get());
}

}  // namespace
}  // namespace drmm
