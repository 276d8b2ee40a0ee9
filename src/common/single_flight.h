// One operation in flight at a time among threads that share a cache: the first caller that finds
// the cache empty runs the operation, the others wait for it to end and then look again at what it
// left behind (a cached value, a remembered error) instead of each sending a request of its own.
// Used for the bearer token (datto/token_provider.cc) and the account's page size
// (datto/datto_client.cc).
//
// The owner's mutex guards this object together with the cache: every member is called with
// that mutex held, and AwaitFinish releases it while it waits.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <stop_token>

namespace drmm {

class SingleFlight {
 public:
  bool InFlight() const { return in_flight_; }

  // The caller runs the operation (without the lock) and then calls Finish with the lock held
  // again, after storing what the waiters should see.
  void Start() { in_flight_ = true; }
  void Finish() {
    in_flight_ = false;
    ++generation_;
    finished_.notify_all();
  }

  // Waits until the operation in flight finishes: false when `stop` was requested first. Returns
  // once that operation has finished even if another has started since, so a waiter looks at the
  // outcome it waited for rather than waiting on for the next one.
  template <typename Lock>
  bool AwaitFinish(Lock& lock, const std::stop_token& stop) {
    const std::uint64_t awaited = generation_;
    ++waiters_;
    const bool finished = finished_.wait(lock, stop, [&] { return generation_ != awaited; });
    --waiters_;
    return finished;
  }

  // Callers inside AwaitFinish (tests use it to know the waiters are in place).
  int Waiters() const { return waiters_; }

 private:
  std::condition_variable_any finished_;
  bool in_flight_ = false;
  std::uint64_t generation_ = 0;  // operations finished so far
  int waiters_ = 0;
};

}  // namespace drmm
