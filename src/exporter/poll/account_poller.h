// Polls one Datto account in the background: one thread per enabled collector (sites, devices,
// alerts, rate status), each on its own schedule, never overlapping itself, all sharing the
// account's API client and rate budget (both handed in, so tests can script them). Each run
// folds its pages into a new immutable data set and swaps it in with the collector's status
// under one lock, so Current() sees either the old or the new data, never a mix, then tells
// whoever listens (the exposition) that the account changed. Every run's cost (pages and time)
// re-plans the intervals, stretching the device walk first and the alerts last when they do not
// fit the budget.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "datto/api.h"
#include "exporter/collect/site_filter.h"
#include "exporter/collect/snapshot.h"
#include "exporter/config/config.h"
#include "exporter/poll/account_budget.h"
#include "exporter/poll/schedule_plan.h"

namespace drmm {

class AccountPoller {
 public:
  // What a poller hands to its successor when a reloaded config changes the account's settings
  // but not the account itself: the data, the statuses and when each collector last ran.
  struct Carried;

  // `api`, `budget` and `clock` must outlive the poller. Throws std::invalid_argument when the
  // site filter does not compile (the config loader has already checked it, so this only
  // guards programming errors).
  AccountPoller(AccountConfig config, datto::Api& api, AccountBudget& budget, Clock& clock);
  ~AccountPoller();
  AccountPoller(const AccountPoller&) = delete;
  AccountPoller& operator=(const AccountPoller&) = delete;

  // Starts one thread per enabled collector; each runs at once (or, after TakeOver, when its
  // interval since the predecessor's last run is up), then on its interval.
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
  bool RunOnce(Collector collector, const std::stop_token& stop);

  // The account's state now, with data older than max_staleness dropped.
  AccountSnapshot Current() const;
  // Every enabled collector has succeeded at least once.
  bool Ready() const { return CollectorsNotReady().empty(); }
  // The enabled collectors that have not succeeded yet, in kAllCollectors order.
  std::vector<std::string> CollectorsNotReady() const;

  // Called after every collector run, from that collector's thread, without the poller's lock
  // held. Set before Start().
  void SetOnChange(std::function<void()> on_change) { on_change_ = std::move(on_change); }

  // For a config reload, with the threads stopped: the state to carry into a new poller of the
  // same account, and taking it over before that one starts.
  std::shared_ptr<const Carried> Handover() const;
  void TakeOver(const Carried& carried);

  const AccountConfig& config() const { return config_; }

 private:
  struct CollectorState {
    CollectorStatus status;                  // as exported
    std::optional<SteadyTime> last_success;  // for staleness (immune to wall-clock jumps)
    std::optional<SteadyTime> last_started;  // for the schedule after a reload
    int requests_per_run = 1;                // each page is one request
    Duration run_time{};                     // how long the last successful run took
  };
  struct State {
    PerCollector<CollectorState> collectors;
    bool up = false;
    bool rate_status_settled = false;
    std::shared_ptr<const SitesData> sites;
    std::shared_ptr<const DevicesData> devices;
    std::shared_ptr<const AlertsData> alerts;
    std::shared_ptr<const RateData> rate;
  };
  // What one collector run produced: at most one of the data members is set (on success).
  struct Collected {
    datto::Status status = datto::Status::Ok();
    int requests = 0;
    std::shared_ptr<const SitesData> sites;
    std::shared_ptr<const DevicesData> devices;
    std::shared_ptr<const AlertsData> alerts;
    std::shared_ptr<const RateData> rate;
  };

  void Loop(Collector collector, const std::stop_token& stop);
  // Runs the collector's walk and fold; publishes nothing (RunOnce does, under one lock).
  Collected Collect(Collector collector, const std::stop_token& stop);
  template <typename Item, typename Fold, typename Data>
  void WalkAndFold(datto::Status (datto::Api::*walk)(const datto::PageSink<Item>&,
                                                     const std::stop_token&),
                   Fold fold, std::shared_ptr<const Data>& out, Collected& collected,
                   const std::stop_token& stop);
  Duration IntervalOf(Collector collector) const;
  bool Enabled(Collector collector) const { return config_.collectors[collector].enabled; }
  // Re-plans the intervals from the latest costs and budget; logs when they stop (or start
  // again) to fit. Called with mutex_ held.
  void ReplanLocked();
  // Until the first rate status call has been answered (or has failed), the other collectors
  // wait, so that they start under the budget the whole account leaves.
  bool AwaitFirstRateStatus(const std::stop_token& stop);

  const AccountConfig config_;
  const std::shared_ptr<const SiteFilter> site_filter_;
  datto::Api& api_;
  AccountBudget& budget_;
  Clock& clock_;

  mutable std::mutex mutex_;  // guards everything below
  std::condition_variable_any rate_status_settled_cv_;
  State state_;
  SchedulePlan plan_;
  bool reported_stretch_ = false;
  std::optional<Collector> reported_outrun_;

  std::function<void()> on_change_;
  std::vector<std::jthread> threads_;
};

}  // namespace drmm
