// Polls one Datto account in the background: one thread per enabled collector (sites, devices,
// alerts, rate status), each on its own schedule, never overlapping itself, all sharing the
// account's client and rate governor. It keeps the account under its rate budget: every rate
// status answer resizes the governor to what the whole account leaves free, and every run's
// cost re-plans the intervals (stretching devices first, alerts last) when they do not fit. Each
// run folds its pages into a new immutable data set and swaps it in whole under the lock, so a
// scrape sees either the old or the new data, never a mix.
#pragma once

#include <array>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "datto/api_observer.h"
#include "datto/datto_client.h"
#include "datto/http_transport.h"
#include "datto/rate_governor.h"
#include "exporter/collect/site_filter.h"
#include "exporter/collect/snapshot.h"
#include "exporter/config/config.h"
#include "exporter/poll/schedule_plan.h"

namespace drmm {

enum class CollectorKind { kSites = 0, kDevices = 1, kAlerts = 2, kRateStatus = 3 };
inline constexpr int kCollectorCount = 4;

// Settings that are not the user's business: tests shorten the back-off so retries run in
// milliseconds.
struct PollerTuning {
  datto::RetryOptions retry;
};

class AccountPoller {
 public:
  // `transport`, `observer` and `clock` must outlive the poller.
  AccountPoller(AccountConfig config, std::shared_ptr<const SiteFilter> site_filter,
                datto::HttpTransport& transport, datto::ApiObserver& observer, Clock& clock,
                const PollerTuning& tuning = {});
  ~AccountPoller();
  AccountPoller(const AccountPoller&) = delete;
  AccountPoller& operator=(const AccountPoller&) = delete;

  // Starts one thread per enabled collector; each runs at once, then on its interval.
  void Start();
  // Interrupts waits and in-flight requests without waiting (so several accounts stop in
  // parallel); Join() then waits for the threads. Stop() does both.
  void RequestStop();
  void Join();
  void Stop() {
    RequestStop();
    Join();
  }

  // Runs one collector to completion on the calling thread (the schedule threads use this;
  // tests call it directly for exact request counts). Returns whether it succeeded.
  bool RunOnce(CollectorKind kind, const std::stop_token& stop);

  // The account's state now, with data older than max_staleness dropped.
  AccountSnapshot Current() const;
  // Every enabled collector has succeeded at least once.
  bool Ready() const { return CollectorsNotReady().empty(); }
  // The enabled collectors that have not succeeded yet, in kCollectorNames order.
  std::vector<std::string> CollectorsNotReady() const;

  // Called after every collector run that changed the account's state (data, status, budget),
  // from that collector's thread, without the poller's lock held. Set before Start().
  void SetOnChange(std::function<void()> on_change) { on_change_ = std::move(on_change); }

  const AccountConfig& config() const { return config_; }
  datto::SlidingWindowGovernor& governor() { return *governor_; }

 private:
  struct CollectorState {
    CollectorStatus status;
    std::optional<SteadyTime> last_success;  // for staleness (immune to wall-clock jumps)
  };

  // What one collector run produced: at most one of the data members is set (on success).
  struct Collected {
    datto::Status status = datto::Status::Ok();
    int requests = 0;  // each page is one request: what the run cost, for the schedule plan
    std::shared_ptr<const SitesData> sites;
    std::shared_ptr<const DevicesData> devices;
    std::shared_ptr<const AlertsData> alerts;
    std::shared_ptr<const RateData> rate;
  };

  void Loop(CollectorKind kind, const std::stop_token& stop);
  // Runs the collector's walk; publishes nothing (RunOnce does, with its status, under one lock).
  Collected Collect(CollectorKind kind, const std::stop_token& stop);
  Duration IntervalOf(CollectorKind kind) const;
  Duration ConfiguredInterval(CollectorKind kind) const;
  bool Enabled(CollectorKind kind) const;
  // Resizes the governor from a rate status answer (the account's window and what the other
  // consumers use); `asked` is when the call started.
  void AdjustBudget(const datto::RateStatus& status, SteadyTime asked);
  int OursSurelyCounted(Duration window, SteadyTime asked) const;
  // Re-plans the intervals from the latest costs and budget; logs when they stop (or start
  // again) to fit. Called with mutex_ held.
  void ReplanLocked();
  // Until the first rate status call has been answered (or has failed), the other collectors
  // wait, so that they start under the budget the whole account leaves.
  bool AwaitFirstRateStatus(const std::stop_token& stop);

  const AccountConfig config_;
  const std::shared_ptr<const SiteFilter> site_filter_;
  datto::HttpTransport& transport_;
  Clock& clock_;
  std::unique_ptr<datto::SlidingWindowGovernor> governor_;
  std::unique_ptr<datto::DattoClient> client_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable_any rate_status_settled_cv_;
  bool rate_status_settled_ = false;
  Duration api_window_ = std::chrono::seconds(60);  // Datto's sliding window, from rate status
  std::array<int, kCollectorCount> requests_per_run_{1, 1, 1, 1};
  SchedulePlan plan_;
  bool reported_stretch_ = false;
  bool budget_reduced_ = false;  // the others leave less than our configured share
  CollectorState collectors_[kCollectorCount];
  bool up_ = false;
  std::shared_ptr<const SitesData> sites_;
  std::shared_ptr<const DevicesData> devices_;
  std::shared_ptr<const AlertsData> alerts_;
  std::shared_ptr<const RateData> rate_;

  std::function<void()> on_change_;
  std::vector<std::jthread> threads_;
};

// Collector names as exported in the `collector` label (kCollectorNames order).
std::string_view CollectorName(CollectorKind kind);

}  // namespace drmm
