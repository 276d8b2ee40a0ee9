#include "sim/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace drmm::sim {

RateLimiter::RateLimiter(RateLimitSettings settings, SteadyTime now)
    : settings_(settings), next_other_(now), penalty_until_(now), block_until_(now) {}

int RateLimiter::CeilSeconds(Duration d) {
  const double seconds = std::chrono::duration<double>(d).count();
  return std::max(1, static_cast<int>(std::ceil(seconds - 1e-9)));
}

void RateLimiter::Advance(SteadyTime now) {
  const SteadyTime horizon = now - settings_.window;
  if (others_period_ > Duration::zero()) {
    // Skip arrivals that would already have left the window (after a long idle stretch).
    if (next_other_ <= horizon) {
      const auto behind = (horizon - next_other_) / others_period_ + 1;
      next_other_ += behind * others_period_;
    }
    while (next_other_ <= now) {
      others_.push_back(next_other_);
      next_other_ += others_period_;
    }
  }
  while (!own_.empty() && own_.front() <= horizon) own_.pop_front();
  while (!others_.empty() && others_.front() <= horizon) others_.pop_front();
}

SteadyTime RateLimiter::EarliestRoom(SteadyTime now) const {
  const auto limit = static_cast<std::size_t>(settings_.limit);
  std::size_t in_window = own_.size() + others_.size();
  std::size_t i = 0;
  std::size_t j = 0;
  // Walk the expiries of the requests in the window in time order; future arrivals of the
  // other consumers before that moment stay in the window.
  while (i < own_.size() || j < others_.size()) {
    SteadyTime leaving;
    if (j >= others_.size() || (i < own_.size() && own_[i] <= others_[j])) {
      leaving = own_[i++];
    } else {
      leaving = others_[j++];
    }
    const SteadyTime at = leaving + settings_.window;
    --in_window;
    std::size_t arrivals = 0;
    if (others_period_ > Duration::zero() && next_other_ <= at) {
      arrivals = static_cast<std::size_t>((at - next_other_) / others_period_) + 1;
    }
    if (in_window + arrivals < limit) return at;
  }
  return now + settings_.window;  // the other consumers alone fill the budget
}

RateDecision RateLimiter::Admit(SteadyTime now) {
  Advance(now);
  if (now < block_until_) return {RateVerdict::kBlocked, CeilSeconds(block_until_ - now)};
  if (now < penalty_until_) {
    if (++violations_ >= settings_.block_after) {
      violations_ = 0;
      penalty_until_ = now;
      block_until_ = now + settings_.block_duration;
      return {RateVerdict::kBlocked, CeilSeconds(settings_.block_duration)};
    }
    return {RateVerdict::kRateLimited, CeilSeconds(penalty_until_ - now)};
  }
  violations_ = 0;
  const std::size_t count = own_.size() + others_.size();
  if (count >= static_cast<std::size_t>(settings_.limit)) {
    const int retry_after = CeilSeconds(EarliestRoom(now) - now);
    penalty_until_ = now + std::chrono::seconds(retry_after);
    return {RateVerdict::kRateLimited, retry_after};
  }
  own_.push_back(now);
  peak_ = std::max(peak_, static_cast<std::int64_t>(count + 1));
  const auto after = static_cast<double>(count + 1);
  if (after > settings_.cutoff_ratio * settings_.limit) return {RateVerdict::kThrottle, 0};
  return {RateVerdict::kAllow, 0};
}

void RateLimiter::ForceRateLimited(SteadyTime now, Duration retry_after) {
  Advance(now);
  penalty_until_ = now + (retry_after > Duration::zero() ? retry_after : settings_.window);
  violations_ = 0;
}

void RateLimiter::ForceBlock(SteadyTime now, Duration duration) {
  Advance(now);
  violations_ = 0;
  penalty_until_ = now;
  block_until_ = now + duration;
}

void RateLimiter::SetOtherConsumers(double per_window, SteadyTime now) {
  Advance(now);
  others_per_window_ = per_window;
  others_.clear();
  if (per_window <= 0) {
    others_period_ = Duration::zero();
    return;
  }
  // Rounded up, so a window never holds more than `per_window` of them.
  others_period_ = std::chrono::ceil<Duration>(std::chrono::duration<double>(
      std::chrono::duration<double>(settings_.window).count() / per_window));
  if (others_period_ <= Duration::zero()) others_period_ = Duration(1);
  // The other integrations have been running all along: the past window already holds their
  // requests at this rate, evenly spaced and ending now. Starting empty would hand a client the
  // whole budget for a window and make /system/request_rate under-report.
  const auto arrivals = static_cast<std::int64_t>(std::ceil(per_window - 1e-9));
  for (std::int64_t k = arrivals - 1; k >= 0; --k) others_.push_back(now - k * others_period_);
  next_other_ = now + others_period_;
}

void RateLimiter::SetLimit(int limit) { settings_.limit = std::max(1, limit); }

std::int64_t RateLimiter::Count(SteadyTime now) {
  Advance(now);
  return static_cast<std::int64_t>(own_.size() + others_.size());
}

std::int64_t RateLimiter::OtherCount(SteadyTime now) {
  Advance(now);
  return static_cast<std::int64_t>(others_.size());
}

}  // namespace drmm::sim
