// A RequestGate for tests of the request loop: lets everything through at once and records
// what it was told; RecentlyRateLimited() answers what the test set.
#pragma once

#include <atomic>
#include <mutex>
#include <optional>
#include <vector>

#include "datto/request_gate.h"

namespace drmm::testing {

class RecordingGate final : public datto::RequestGate {
 public:
  bool Acquire(datto::RequestPriority priority, const std::stop_token& stop) override {
    if (stop.stop_requested()) return false;
    std::lock_guard lock(mutex_);
    acquired_.push_back(priority);
    return true;
  }
  void Answered() override { ++answered_; }
  void OnRateLimited(std::optional<Duration> retry_after) override {
    std::lock_guard lock(mutex_);
    rate_limited_.push_back(retry_after);
  }
  void OnBlocked(std::optional<Duration> retry_after) override {
    std::lock_guard lock(mutex_);
    blocked_.push_back(retry_after);
  }
  bool RecentlyRateLimited() const override { return recently_limited_; }

  void SetRecentlyRateLimited(bool value) { recently_limited_ = value; }
  int answered() const { return answered_; }
  std::vector<datto::RequestPriority> acquired() const {
    std::lock_guard lock(mutex_);
    return acquired_;
  }
  std::vector<std::optional<Duration>> rate_limited() const {
    std::lock_guard lock(mutex_);
    return rate_limited_;
  }
  std::vector<std::optional<Duration>> blocked() const {
    std::lock_guard lock(mutex_);
    return blocked_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<datto::RequestPriority> acquired_;
  std::vector<std::optional<Duration>> rate_limited_;
  std::vector<std::optional<Duration>> blocked_;
  std::atomic<bool> recently_limited_{false};
  std::atomic<int> answered_{0};
};

}  // namespace drmm::testing
