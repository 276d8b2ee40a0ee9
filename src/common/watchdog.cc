#include "common/watchdog.h"

#include <algorithm>
#include <utility>

namespace drmm {

Watchdog::Guard::~Guard() {
  if (owner_ != nullptr) owner_->Release(id_);
}

Watchdog::Watchdog() : thread_([this](const std::stop_token& stop) { Loop(stop); }) {}

Watchdog::~Watchdog() {
  thread_.request_stop();
  changed_.notify_all();
}

Watchdog::Guard Watchdog::Arm(TimePoint deadline, std::function<void()> on_expiry) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = ++next_id_;
  entries_.emplace(id, Entry{deadline, std::move(on_expiry)});
  ++armed_;
  changed_.notify_all();
  return {this, id};
}

void Watchdog::Release(std::uint64_t id) {
  std::unique_lock lock(mutex_);
  entries_.erase(id);
  // An expiry being called for this id may use what the guard's owner is about to destroy.
  changed_.wait(lock, [&] { return running_ != id; });
}

void Watchdog::Loop(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  while (!stop.stop_requested()) {
    const auto earliest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.deadline < b.second.deadline; });
    if (earliest == entries_.end()) {
      changed_.wait(lock, stop, [&] { return !entries_.empty(); });
      continue;
    }
    if (std::chrono::steady_clock::now() < earliest->second.deadline) {
      // Until the deadline, or until a new (maybe earlier) one is armed.
      const TimePoint deadline = earliest->second.deadline;
      const std::uint64_t armed = armed_;
      changed_.wait_until(lock, stop, deadline, [&] { return armed_ != armed; });
      continue;
    }
    const std::uint64_t id = earliest->first;
    auto on_expiry = std::move(earliest->second.on_expiry);
    entries_.erase(earliest);
    running_ = id;
    lock.unlock();
    on_expiry();
    lock.lock();
    running_ = 0;
    changed_.notify_all();
  }
}

}  // namespace drmm
