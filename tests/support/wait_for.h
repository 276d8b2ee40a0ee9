// Waits, bounded, for a condition another thread makes true: tests wait on conditions, never
// on a fixed sleep.
#pragma once

#include <chrono>
#include <thread>

namespace drmm::testing {

template <typename Predicate>
bool WaitFor(Predicate predicate, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace drmm::testing
