// The rate budget arithmetic of one account, as pure functions: how many requests this exporter
// may send per sliding window, given its own share (rate_limit.requests_per_minute) and what
// /system/request_rate says the whole Datto account is using.
#pragma once

#include <cstdint>
#include <optional>

#include "common/clock.h"

namespace drmm {

// Our configured share, expressed per window: requests_per_minute scaled to the window's
// length, at least 1. Datto's window is 60 s, so this is usually requests_per_minute itself.
int OwnBudgetPerWindow(int requests_per_minute, Duration window);

// The window the governor counts in: the API's window plus a little slack (2%, 200 ms .. 1 s),
// because the API counts a request when it arrives and the governor when it leaves; without the
// slack, a slow first request and a fast last one could land in one API window together.
Duration GovernorWindow(Duration api_window);

// The window the budget counts in. Datto's is 60 s, and /system/request_rate says what it is
// for the account (the simulator scales it down for tests). A window longer than a minute is
// counted as one minute, so the configured requests per minute hold whatever the API says; an
// answer outside 1 s .. 1 h cannot be right and is taken as the 60 s default.
struct AccountWindow {
  Duration api = std::chrono::seconds(60);      // the account's window as the API reports it
  Duration counted = std::chrono::seconds(60);  // what the governor counts in: min(api, 60 s)
};
AccountWindow CountingWindow(std::optional<std::int64_t> api_window_seconds);

// accountCutOffRatio when the API sends none (or one outside (0, 1]).
inline constexpr double kDefaultCutoffRatio = 0.9;

struct AccountUsage {
  std::int64_t account_requests_in_window = 0;  // accountCount: everyone, us included
  std::int64_t account_rate_limit = 600;        // accountRateLimit
  double cutoff_ratio = 0.9;                    // accountCutOffRatio: above it, 1 s delays
  std::int64_t ours_in_window = 0;              // what the governor sent in the same window
  // All we sent in the window, still unanswered ones included: what the claim grows from. Only
  // answered ones count in ours_in_window (see AccountBudget::Adjust), which makes the others
  // look bigger, the safe side; growing from that lower count would shrink the budget of an
  // exporter with requests in flight at every call. Taken as at least ours_in_window.
  std::int64_t ours_sent_in_window = 0;
};

// Share of the account limit kept free below the cut-off, for what the others start sending
// between two rate status calls.
inline constexpr double kAccountHeadroomRatio = 0.05;

// Of the account's free room (cut-off - headroom - everyone's requests in the window), the part
// one exporter claims per rate status call. Another replica polling the same account sees the
// same free room at about the same time: if each claimed all of it, both would fill it twice
// over, then both back off, and so on (two replicas at 300/min with others at 100/min reached
// 564 in one window). Claiming half, two replicas fill it exactly and settle at equal shares;
// one exporter alone reaches the whole room within a few calls.
inline constexpr double kFreeRoomClaim = 0.5;

// What the account leaves this exporter below its cut-off, per counted window:
// cut-off - headroom - others, scaled from the API's window to the counted one (may be < 1).
// `usage` is taken as the API's numbers come: a limit or ratio that cannot be right is
// replaced by Datto's (600, 0.9), counts are clamped to 0..1e9.
double AccountRoom(const AccountUsage& usage, const AccountWindow& window = {});

// The most this exporter may send per counted window so that the whole account stays under its
// cut-off however much the other consumers take, and so that replicas of it converge instead
// of taking turns: what it sends now (ours_sent_in_window) plus kFreeRoomClaim of the free room
// (all of the overrun when there is none), never above the room, never above its own budget,
// never below 1 (the rate status call must still go out to notice when the others calm down).
int AccountAwareBudget(int own_budget, const AccountUsage& usage, const AccountWindow& window = {});

// Budget per window expressed per minute, for datto_rmm_api_budget_requests_per_minute.
double PerMinute(int per_window, Duration window);

}  // namespace drmm
