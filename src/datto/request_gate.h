// Every request of one account passes through its gate before it is sent: the gate decides
// when, so the account stays under its rate budget, and it pauses everything after a 429 or
// during an IP block. The client reports what the server said back through the On* calls.
#pragma once

#include <optional>
#include <stop_token>

#include "common/clock.h"

namespace drmm::datto {

// Lower value = served first when requests compete for the budget. The rate status call is one
// request that tells the exporter how much of the account others are using, so it goes before
// everything it protects; alerts are the freshest critical signal; a device walk can wait.
enum class RequestPriority { kAuth = 0, kRateStatus = 1, kAlerts = 2, kSites = 3, kDevices = 4 };

class RequestGate {
 public:
  virtual ~RequestGate() = default;
  // Blocks until one request may be sent and counts it as sent. Returns false (without
  // counting) when `stop` was requested first.
  virtual bool Acquire(RequestPriority priority, const std::stop_token& stop) = 0;
  // The request of an earlier successful Acquire has its answer (or failed for good): called
  // once per such Acquire, right after the transport returns. From then on the API has surely
  // counted it, which is what the account-aware budget needs to know (see the governor).
  virtual void Answered() {}
  // A 429: no request of this account before `retry_after` (or the default pause) has passed.
  virtual void OnRateLimited(std::optional<Duration> retry_after) = 0;
  // A 403 rate-limit block: no request at all for at least the block duration.
  virtual void OnBlocked(std::optional<Duration> retry_after) = 0;
  // True while a 429 pause or a block is in force, and for a while after it (the governor: one
  // window), since the 403 block typically answers the first requests after a pause. Used to
  // classify a following 403.
  virtual bool RecentlyRateLimited() const = 0;
};

// Lets everything through at once: for tests of logic that is not about rates.
class UnlimitedGate final : public RequestGate {
 public:
  bool Acquire(RequestPriority /*priority*/, const std::stop_token& stop) override {
    return !stop.stop_requested();
  }
  void OnRateLimited(std::optional<Duration> /*retry_after*/) override {}
  void OnBlocked(std::optional<Duration> /*retry_after*/) override {}
  bool RecentlyRateLimited() const override { return false; }
};

}  // namespace drmm::datto
