#include "exporter/poll/budget.h"

#include <algorithm>
#include <cmath>

namespace drmm {

using std::chrono::duration;
using std::chrono::milliseconds;

int OwnBudgetPerWindow(int requests_per_minute, Duration window) {
  const double minutes = duration<double>(window).count() / 60.0;
  return std::max(1, static_cast<int>(std::floor(requests_per_minute * minutes)));
}

Duration GovernorWindow(Duration api_window) {
  // 2% of the window, between 20 ms (loopback tests with scaled windows) and 1 s (a real API
  // across the internet: connect, TLS and queueing before the request is counted).
  const Duration slack =
      std::clamp<Duration>(api_window / 50, milliseconds(20), std::chrono::seconds(1));
  return api_window + slack;
}

int AccountAwareBudget(int own_budget, const AccountUsage& usage) {
  const double cutoff = static_cast<double>(usage.account_rate_limit) * usage.cutoff_ratio;
  const double headroom = static_cast<double>(usage.account_rate_limit) * kAccountHeadroomRatio;
  const auto others = static_cast<double>(
      std::max<std::int64_t>(0, usage.account_requests_in_window - usage.ours_in_window));
  const double room = std::floor(cutoff - headroom - others);
  return std::clamp(static_cast<int>(std::min<double>(room, own_budget)), 1,
                    std::max(1, own_budget));
}

double PerMinute(int per_window, Duration window) {
  const double seconds = duration<double>(window).count();
  return seconds > 0 ? per_window * 60.0 / seconds : 0;
}

}  // namespace drmm
