// Deadlines for blocking I/O that only has per-read timeouts. cpp-httplib's client times out
// each read, not the exchange: a body trickled one byte a second never ends. A Watchdog runs one
// thread that calls an expiry function (closing the connection) when an armed deadline passes
// before its Guard is released. Real time on purpose: network deadlines are about the wall, not
// about a test's fake clock.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace drmm {

class Watchdog {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Releases its deadline when destroyed; the expiry function never runs after that returns.
  class Guard {
   public:
    Guard(Guard&& other) noexcept : owner_(other.owner_), id_(other.id_) { other.owner_ = nullptr; }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    Guard& operator=(Guard&&) = delete;
    ~Guard();

   private:
    friend class Watchdog;
    Guard(Watchdog* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    Watchdog* owner_;
    std::uint64_t id_;
  };

  Watchdog();
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Calls `on_expiry` on the watchdog's thread at `deadline` unless the Guard is gone first.
  [[nodiscard]] Guard Arm(TimePoint deadline, std::function<void()> on_expiry);

 private:
  struct Entry {
    TimePoint deadline;
    std::function<void()> on_expiry;
  };

  void Release(std::uint64_t id);
  void Loop(const std::stop_token& stop);

  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::map<std::uint64_t, Entry> entries_;
  std::uint64_t next_id_ = 0;
  std::uint64_t armed_ = 0;    // counts Arm calls, to wake the thread for an earlier deadline
  std::uint64_t running_ = 0;  // id whose expiry is being called (0: none)
  std::jthread thread_;
};

}  // namespace drmm
