// An ApiObserver for tests that records every call (thread-safe).
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "datto/api_observer.h"

namespace drmm::testing {

class RecordingObserver final : public datto::ApiObserver {
 public:
  struct Request {
    std::string endpoint;
    std::string code;
  };

  void OnRequest(std::string_view endpoint, std::string_view code, double /*seconds*/) override {
    std::lock_guard lock(mutex_);
    requests_.push_back({std::string(endpoint), std::string(code)});
  }
  void OnRetry(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    retries_.emplace_back(reason);
  }
  void OnDecodeError(std::string_view endpoint) override {
    std::lock_guard lock(mutex_);
    decode_errors_.emplace_back(endpoint);
  }
  void OnDecodeWarnings(std::string_view endpoint, std::int64_t count) override {
    std::lock_guard lock(mutex_);
    decode_warnings_.emplace_back(endpoint, count);
  }
  void OnUnknownEnumValue(std::string_view field, std::string_view value) override {
    std::lock_guard lock(mutex_);
    unknown_enums_.emplace_back(field, value);
  }
  void OnThrottleWait(double seconds) override {
    std::lock_guard lock(mutex_);
    throttle_seconds_ += seconds;
  }
  void OnRateLimited() override {
    std::lock_guard lock(mutex_);
    ++rate_limited_;
  }
  void OnBlocked(bool active) override {
    std::lock_guard lock(mutex_);
    blocked_.push_back(active);
  }
  void OnTokenIssued(WallTime expiry) override {
    std::lock_guard lock(mutex_);
    token_expiries_.push_back(expiry);
  }

  std::vector<Request> requests() const { return Get(requests_); }
  std::vector<std::string> retries() const { return Get(retries_); }
  std::vector<std::string> decode_errors() const { return Get(decode_errors_); }
  std::vector<std::pair<std::string, std::int64_t>> decode_warnings() const {
    return Get(decode_warnings_);
  }
  std::vector<std::pair<std::string, std::string>> unknown_enums() const {
    return Get(unknown_enums_);
  }
  double throttle_seconds() const { return Get(throttle_seconds_); }
  int rate_limited() const { return Get(rate_limited_); }
  std::vector<bool> blocked() const { return Get(blocked_); }
  std::vector<WallTime> token_expiries() const { return Get(token_expiries_); }

 private:
  template <typename T>
  T Get(const T& member) const {
    std::lock_guard lock(mutex_);
    return member;
  }

  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  std::vector<std::string> retries_;
  std::vector<std::string> decode_errors_;
  std::vector<std::pair<std::string, std::int64_t>> decode_warnings_;
  std::vector<std::pair<std::string, std::string>> unknown_enums_;
  double throttle_seconds_ = 0;
  int rate_limited_ = 0;
  std::vector<bool> blocked_;
  std::vector<WallTime> token_expiries_;
};

}  // namespace drmm::testing
