// Waits, bounded, for a condition that another process makes true, looking again every `every`
// (conditions here are HTTP requests, so not in a tight loop). Tests wait on conditions, never
// on a fixed sleep.
#pragma once

#include <chrono>
#include <thread>

namespace drmm::e2e {

template <typename Predicate>
bool PollUntil(Predicate predicate, std::chrono::milliseconds timeout,
               std::chrono::milliseconds every = std::chrono::milliseconds(100)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
  return true;
}

}  // namespace drmm::e2e
