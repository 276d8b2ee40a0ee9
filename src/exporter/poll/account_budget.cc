#include "exporter/poll/account_budget.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "common/log.h"
#include "exporter/poll/budget.h"

namespace drmm {
namespace {

// Until a rate status answer says otherwise, Datto's window is 60 s.
constexpr Duration kDefaultApiWindow = std::chrono::seconds(60);

datto::GovernorOptions GovernorOptionsFor(const RateLimitConfig& config) {
  datto::GovernorOptions options;
  options.budget = OwnBudgetPerWindow(config.requests_per_minute, kDefaultApiWindow);
  options.window = GovernorWindow(kDefaultApiWindow);
  options.default_retry_after = config.default_retry_after;
  options.block_pause = config.block_pause;
  options.max_pause = config.max_pause;
  return options;
}

}  // namespace

AccountBudget::AccountBudget(std::string account, const RateLimitConfig& config, Clock& clock)
    : account_(std::move(account)),
      clock_(clock),
      governor_(GovernorOptionsFor(config), clock),
      config_(config),
      api_window_(kDefaultApiWindow) {}

void AccountBudget::Adjust(const datto::RateStatus& status, SteadyTime asked) {
  const AccountWindow window = CountingWindow(status.sliding_window_seconds);
  std::lock_guard lock(mutex_);
  const int own = OwnBudgetPerWindow(config_.requests_per_minute, window.counted);
  int budget = own;
  double room = own;
  if (status.account_count && status.account_rate_limit && *status.account_rate_limit > 0) {
    AccountUsage usage;
    usage.account_requests_in_window = *status.account_count;
    usage.account_rate_limit = *status.account_rate_limit;
    usage.cutoff_ratio = status.account_cutoff_ratio.value_or(kDefaultCutoffRatio);
    // The API counted accountCount at some moment T between `asked` and now. Our requests sent
    // after now - window and answered by `asked` had arrived and were inside its window at T,
    // whatever T was. Sends before that may have left it; a request still in flight at
    // `asked` may not have been counted. Counting only the sure ones can only make the others
    // look bigger, never smaller: the safe side of the budget.
    const SteadyTime window_start = clock_.Now() - window.api;
    usage.ours_in_window = governor_.AnsweredBetween(window_start, asked);
    const auto sends = governor_.SendTimes();
    usage.ours_sent_in_window =
        std::count_if(sends.begin(), sends.end(), [&](SteadyTime t) { return t > window_start; });
    budget = AccountAwareBudget(own, usage, window);
    room = AccountRoom(usage, window);
  }
  governor_.SetWindow(GovernorWindow(window.counted));
  governor_.SetBudget(budget);
  api_window_ = window.counted;
  // Said once per change of state, not on every rate status call; a budget still climbing
  // towards a share the others leave room for is not a slow-down.
  const bool reduced = room < own;
  if (reduced == reduced_) return;
  reduced_ = reduced;
  LogInfo(reduced_ ? "other API consumers leave less than this exporter's share; slowing down"
                   : "the account has room for this exporter's full share again",
          {{"account", account_},
           {"budget_per_window", std::to_string(budget)},
           {"own_share_per_window", std::to_string(own)},
           {"account_requests_in_window", std::to_string(status.account_count.value_or(0))}});
}

void AccountBudget::Reconfigure(const RateLimitConfig& config) {
  std::lock_guard lock(mutex_);
  config_ = config;
  reduced_ = false;
  governor_.SetBudget(OwnBudgetPerWindow(config.requests_per_minute, api_window_));
}

double AccountBudget::RequestsPerMinute() const {
  return PerMinute(governor_.Budget(), governor_.Window());
}

int AccountBudget::RequestsInWindow() const { return governor_.RequestsInWindow(); }

}  // namespace drmm
