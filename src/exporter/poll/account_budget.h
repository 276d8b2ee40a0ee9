// One account's rate budget, owned in one place: this exporter's configured share
// (rate_limit.requests_per_minute), what the account's other API consumers leave of it (from
// /system/request_rate), and the request governor that every request of the account passes.
// Units are decided here once: the governor counts requests per sliding window (Datto's 60 s,
// or whatever /system/request_rate says, plus a little slack); requests per minute appear only
// at the edges, in the config and in what RequestsPerMinute() reports to the metric and the
// schedule plan.
#pragma once

#include <mutex>
#include <string>

#include "common/clock.h"
#include "datto/model.h"
#include "datto/rate_governor.h"
#include "exporter/config/config.h"

namespace drmm {

class AccountBudget {
 public:
  // `account` names the account in log lines.
  AccountBudget(std::string account, const RateLimitConfig& config, Clock& clock);
  AccountBudget(const AccountBudget&) = delete;
  AccountBudget& operator=(const AccountBudget&) = delete;

  // What every request of the account passes (the client's RequestGate).
  datto::RequestGate& gate() { return governor_; }

  // Resizes the budget from a /system/request_rate answer: the account's window, and how much
  // of the account's cut-off the other consumers use. `asked` is when the call went out.
  void Adjust(const datto::RateStatus& status, SteadyTime asked);
  // A reloaded config: the new share applies from now on (the next Adjust refines it).
  void Reconfigure(const RateLimitConfig& config);

  // The most this exporter will send per minute now: the budget per governor window, as a
  // rate. What datto_rmm_api_budget_requests_per_minute shows and the schedule plans with.
  double RequestsPerMinute() const;
  // Requests sent in the governor's current window (datto_rmm_api_requests_in_window).
  int RequestsInWindow() const;

  const datto::SlidingWindowGovernor& governor() const { return governor_; }

 private:
  const std::string account_;
  Clock& clock_;
  datto::SlidingWindowGovernor governor_;

  mutable std::mutex mutex_;  // guards the members below
  RateLimitConfig config_;
  Duration api_window_;
  bool reduced_ = false;  // the others leave less than our configured share
};

}  // namespace drmm
