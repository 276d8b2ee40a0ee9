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
  // 2% of the window, between 200 ms and 1 s. The way to the API takes about as long whatever
  // its window: 1 s covers a real API across the internet (connect, TLS and queueing before the
  // request is counted) at Datto's 60 s; 200 ms covers loopback to the simulator with its window
  // scaled to 2 s for tests, where a sanitizer build on a busy machine varies it by 40 ms (a
  // slack of 2%, 40 ms, let a request sent in one window be counted in the next).
  const Duration slack =
      std::clamp<Duration>(api_window / 50, milliseconds(200), std::chrono::seconds(1));
  return api_window + slack;
}

AccountWindow CountingWindow(std::optional<std::int64_t> api_window_seconds) {
  AccountWindow window;
  if (api_window_seconds && *api_window_seconds >= 1 && *api_window_seconds <= 3600) {
    window.api = std::chrono::seconds(*api_window_seconds);
  }
  window.counted = std::min<Duration>(window.api, std::chrono::seconds(60));
  return window;
}

namespace {

// Both per API window: the room left by the others, and all our own requests in it.
struct Room {
  double room = 0;
  double ours_sent = 0;
};

Room RoomPerApiWindow(const AccountUsage& usage) {
  // Numbers from the API, checked before use: a limit of 10^10 must not overflow into a budget
  // of 0, a ratio of 7 must not lift the cut-off above the limit.
  const double limit = usage.account_rate_limit >= 1 && usage.account_rate_limit <= 1'000'000
                           ? static_cast<double>(usage.account_rate_limit)
                           : 600.0;
  const double ratio =
      usage.cutoff_ratio > 0 && usage.cutoff_ratio <= 1 ? usage.cutoff_ratio : kDefaultCutoffRatio;
  const double cutoff = limit * ratio;
  const double headroom = limit * kAccountHeadroomRatio;
  const double account =
      std::clamp<double>(static_cast<double>(usage.account_requests_in_window), 0.0, 1e9);
  const double ours = std::clamp<double>(static_cast<double>(usage.ours_in_window), 0.0, 1e9);
  const double others = std::max(0.0, account - ours);
  const double sent = std::clamp<double>(static_cast<double>(usage.ours_sent_in_window), ours, 1e9);
  return {cutoff - headroom - others, sent};
}

double ToCounted(double per_api_window, const AccountWindow& window) {
  if (window.counted < window.api && window.api > Duration::zero()) {
    return per_api_window * duration<double>(window.counted).count() /
           duration<double>(window.api).count();
  }
  return per_api_window;
}

}  // namespace

double AccountRoom(const AccountUsage& usage, const AccountWindow& window) {
  return ToCounted(RoomPerApiWindow(usage).room, window);
}

int AccountAwareBudget(int own_budget, const AccountUsage& usage, const AccountWindow& window) {
  const Room r = RoomPerApiWindow(usage);
  const double free = r.room - r.ours_sent;
  const double claim = free > 0 ? r.ours_sent + free * kFreeRoomClaim : r.room;
  const double per_window = ToCounted(claim, window);
  const int own = std::max(1, own_budget);
  return static_cast<int>(std::clamp(std::floor(per_window), 1.0, static_cast<double>(own)));
}

double PerMinute(int per_window, Duration window) {
  const double seconds = duration<double>(window).count();
  return seconds > 0 ? per_window * 60.0 / seconds : 0;
}

}  // namespace drmm
