#include "exporter/poll/account_poller.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <variant>

#include "common/duration.h"
#include "common/log.h"
#include "exporter/collect/alerts_fold.h"
#include "exporter/collect/devices_fold.h"
#include "exporter/collect/rate_data.h"
#include "exporter/collect/sites_fold.h"

namespace drmm {
namespace {

// How long the other collectors wait for the first rate status answer before starting anyway.
constexpr Duration kFirstRateStatusWait = std::chrono::seconds(30);

// Failures that mean the API could not be used at all (as opposed to one response we could not
// use): these are what `datto_rmm_up` reports.
bool ApiUnreachable(datto::ErrorKind kind) {
  switch (kind) {
    case datto::ErrorKind::kCredentials:
    case datto::ErrorKind::kUnauthorized:
    case datto::ErrorKind::kTransport:
    case datto::ErrorKind::kServer:
    case datto::ErrorKind::kRateLimited:
    case datto::ErrorKind::kBlocked:
      return true;
    default:
      return false;
  }
}

std::shared_ptr<const SiteFilter> CompileFilter(const AccountConfig& config) {
  auto filter = SiteFilter::Create(config.site_filter);
  if (!filter.ok()) {
    throw std::invalid_argument("account " + config.name + ": " + filter.error().message);
  }
  return std::make_shared<const SiteFilter>(std::move(filter).value());
}

std::string IntervalText(Duration interval) {
  return FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(interval));
}

}  // namespace

struct AccountPoller::Carried {
  State state;
};

AccountPoller::AccountPoller(AccountConfig config, datto::Api& api, AccountBudget& budget,
                             Clock& clock)
    : config_(std::move(config)),
      site_filter_(CompileFilter(config_)),
      api_(api),
      budget_(budget),
      clock_(clock) {
  for (const Collector collector : kAllCollectors) {
    CollectorStatus& status = state_.collectors[collector].status;
    status.name = std::string(NameOf(collector));
    status.enabled = Enabled(collector);
  }
  state_.rate_status_settled = !Enabled(Collector::kRateStatus);
  std::lock_guard lock(mutex_);
  ReplanLocked();
}

AccountPoller::~AccountPoller() { Stop(); }

Duration AccountPoller::IntervalOf(Collector collector) const {
  std::lock_guard lock(mutex_);
  return plan_.intervals[collector];
}

void AccountPoller::Start() {
  for (const Collector collector : kAllCollectors) {
    if (!Enabled(collector)) continue;
    threads_.emplace_back(
        [this, collector](const std::stop_token& stop) { Loop(collector, stop); });
  }
}

// A request in flight is cancelled through the stop token the request executor watches.
void AccountPoller::RequestStop() {
  for (auto& thread : threads_) thread.request_stop();
}

void AccountPoller::Join() { threads_.clear(); }  // jthread joins on destruction

bool AccountPoller::AwaitFirstRateStatus(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  rate_status_settled_cv_.wait_for(lock, stop, kFirstRateStatusWait,
                                   [this] { return state_.rate_status_settled; });
  return !stop.stop_requested();
}

void AccountPoller::Loop(Collector collector, const std::stop_token& stop) {
  if (collector != Collector::kRateStatus && !AwaitFirstRateStatus(stop)) return;
  SteadyTime next = clock_.Now();
  {
    // After a reload, keep the predecessor's rhythm instead of polling everything at once.
    std::lock_guard lock(mutex_);
    if (const auto& last = state_.collectors[collector].last_started) {
      next = std::max(next, *last + plan_.intervals[collector]);
    }
  }
  while (clock_.SleepUntil(next, stop)) {
    const auto started = clock_.Now();
    RunOnce(collector, stop);
    // One thread per collector: a run that outlasts its interval delays the next one instead
    // of overlapping it.
    next = started + IntervalOf(collector);
  }
}

template <typename Item, typename Fold, typename Data>
void AccountPoller::WalkAndFold(datto::Status (datto::Api::*walk)(const datto::PageSink<Item>&,
                                                                  const std::stop_token&),
                                Fold fold, std::shared_ptr<const Data>& out, Collected& collected,
                                const std::stop_token& stop) {
  collected.status = (api_.*walk)(
      [&](std::vector<Item>&& page) {
        ++collected.requests;
        fold.Add(std::move(page));
      },
      stop);
  if (collected.status.ok()) out = std::make_shared<const Data>(std::move(fold).Finish());
}

AccountPoller::Collected AccountPoller::Collect(Collector collector, const std::stop_token& stop) {
  Collected out;
  switch (collector) {
    case Collector::kSites:
      WalkAndFold(&datto::Api::ForEachSite, SitesFold(), out.sites, out, stop);
      break;
    case Collector::kDevices:
      WalkAndFold(&datto::Api::ForEachDevice, DevicesFold(config_.device_metrics, clock_.WallNow()),
                  out.devices, out, stop);
      break;
    case Collector::kAlerts:
      WalkAndFold(&datto::Api::ForEachOpenAlert, AlertsFold(), out.alerts, out, stop);
      break;
    case Collector::kRateStatus: {
      const SteadyTime asked = clock_.Now();
      auto result = api_.GetRateStatus(stop);
      out.requests = 1;
      if (!result.ok()) {
        out.status = result.status();
        break;
      }
      budget_.Adjust(result.value(), asked);
      out.rate = std::make_shared<const RateData>(RateDataFrom(result.value()));
      break;
    }
  }
  return out;
}

bool AccountPoller::RunOnce(Collector collector, const std::stop_token& stop) {
  const auto started = clock_.Now();
  {
    // Published before the run, so a run that never ends is visible while it hangs.
    std::lock_guard lock(mutex_);
    state_.collectors[collector].status.running_since_unix = ToUnixSeconds(clock_.WallNow());
  }
  if (on_change_) on_change_();
  Collected collected = Collect(collector, stop);
  const datto::Status& status = collected.status;
  const Duration run_time = clock_.Now() - started;
  if (status.kind() == datto::ErrorKind::kCancelled) {  // shutting down: keep the rest
    std::lock_guard lock(mutex_);
    state_.collectors[collector].status.running_since_unix.reset();
    return false;
  }

  bool recovered = false;
  bool never_succeeded = false;
  {
    // Data and status change together: a scrape never sees new data beside the old success
    // flag and timestamp (which decide staleness), or the reverse.
    std::lock_guard lock(mutex_);
    if (collected.sites) state_.sites = std::move(collected.sites);
    if (collected.devices) state_.devices = std::move(collected.devices);
    if (collected.alerts) state_.alerts = std::move(collected.alerts);
    if (collected.rate) state_.rate = std::move(collected.rate);
    if (collector == Collector::kRateStatus && !state_.rate_status_settled) {
      state_.rate_status_settled = true;
      rate_status_settled_cv_.notify_all();
    }
    CollectorState& state = state_.collectors[collector];
    state.last_started = started;
    if (status.ok()) {
      state.requests_per_run = std::max(1, collected.requests);
      state.run_time = run_time;
    }
    recovered = status.ok() && state.status.ran && !state.status.last_success;
    never_succeeded = !state.status.last_success_unix.has_value() && !status.ok();
    state.status.ran = true;
    state.status.running_since_unix.reset();
    state.status.last_success = status.ok();
    state.status.last_duration_seconds = std::chrono::duration<double>(run_time).count();
    if (status.ok()) {
      state.last_success = clock_.Now();
      state.status.last_success_unix = ToUnixSeconds(clock_.WallNow());
      state_.up = true;
    } else if (ApiUnreachable(status.kind())) {
      state_.up = false;
    }
    ReplanLocked();
  }
  if (on_change_) on_change_();
  const std::string name(NameOf(collector));
  if (!status.ok()) {
    LogWarn(never_succeeded ? "collector failed; it has no data to serve yet"
                            : "collector failed; serving its last good data until max_staleness",
            {{"account", config_.name},
             {"collector", name},
             {"error", datto::ErrorKindName(status.kind())},
             {"detail", status.message()}});
  } else if (recovered) {
    LogInfo("collector recovered", {{"account", config_.name}, {"collector", name}});
  } else {
    LogDebug("collector succeeded",
             {{"account", config_.name},
              {"collector", name},
              {"seconds", std::to_string(std::chrono::duration<double>(run_time).count())}});
  }
  return status.ok();
}

AccountSnapshot AccountPoller::Current() const {
  AccountSnapshot snapshot;
  snapshot.account = config_.name;
  snapshot.site_filter = site_filter_;
  snapshot.device_metrics = config_.device_metrics.enabled;
  snapshot.excluded_metrics = config_.excluded_metrics;
  if (const auto expiry = api_.TokenExpiry()) {
    snapshot.token_expiry_unix = ToUnixSeconds(*expiry);
  }
  snapshot.budget_requests_per_minute = budget_.RequestsPerMinute();
  snapshot.requests_in_window = budget_.RequestsInWindow();
  const auto now = clock_.Now();
  std::lock_guard lock(mutex_);
  snapshot.poll_budget_utilization_ratio = plan_.utilization;
  snapshot.up = state_.up;
  // Data whose last success is older than max_staleness is dropped, so its series disappear
  // instead of freezing at values nobody can vouch for.
  auto fresh = [&](Collector collector) {
    const auto& last = state_.collectors[collector].last_success;
    return last && now - *last <= config_.max_staleness;
  };
  for (const Collector collector : kAllCollectors) {
    const CollectorState& state = state_.collectors[collector];
    snapshot.collectors.push_back(state.status);
    if (fresh(collector)) {
      // Fresh while now - last_success <= max_staleness: stale from the next tick on.
      const SteadyTime stale_at = *state.last_success + config_.max_staleness + Duration(1);
      if (!snapshot.next_stale_at || stale_at < *snapshot.next_stale_at) {
        snapshot.next_stale_at = stale_at;
      }
    }
  }
  if (fresh(Collector::kSites)) snapshot.sites = state_.sites;
  snapshot.last_known_sites = state_.sites;
  if (fresh(Collector::kDevices)) snapshot.devices = state_.devices;
  if (fresh(Collector::kAlerts)) snapshot.alerts = state_.alerts;
  if (fresh(Collector::kRateStatus)) snapshot.rate = state_.rate;
  return snapshot;
}

void AccountPoller::ReplanLocked() {
  PerCollector<CollectorCost> costs;
  for (const Collector collector : kAllCollectors) {
    const CollectorState& state = state_.collectors[collector];
    costs[collector] = {Enabled(collector), config_.collectors[collector].interval,
                        state.requests_per_run, state.run_time};
  }
  // Data must be refreshed before max_staleness drops it, with room for the run itself.
  const Duration max_interval = std::chrono::duration_cast<Duration>(config_.max_staleness * 4 / 5);
  plan_ = PlanSchedule(costs, budget_.RequestsPerMinute(), max_interval);
  if (plan_.stretched != reported_stretch_) {
    reported_stretch_ = plan_.stretched;
    const std::initializer_list<LogField> fields = {
        {"account", config_.name},
        // Whole requests: "570", not std::to_string's "570.000000".
        {"planned_requests_per_minute",
         std::to_string(std::lround(plan_.planned_requests_per_minute))},
        {"budget_requests_per_minute",
         std::to_string(std::lround(plan_.budget_requests_per_minute))},
        {"alerts_every", IntervalText(plan_.intervals[Collector::kAlerts])},
        {"sites_every", IntervalText(plan_.intervals[Collector::kSites])},
        {"devices_every", IntervalText(plan_.intervals[Collector::kDevices])}};
    if (plan_.stretched) {
      LogWarn(
          "the configured intervals do not fit the rate budget; stretching them (devices "
          "first, alerts last) instead of exceeding it",
          fields);
    } else {
      LogInfo("the configured intervals fit the rate budget again", fields);
    }
  }
  if (plan_.outrun != reported_outrun_) {
    reported_outrun_ = plan_.outrun;
    if (plan_.outrun) {
      const Collector slow = *plan_.outrun;
      LogWarn(
          "a collector's run takes longer than its interval; its data refreshes at the pace of "
          "its walks, not as configured",
          {{"account", config_.name},
           {"collector", std::string(NameOf(slow))},
           {"run_time", IntervalText(state_.collectors[slow].run_time)},
           {"interval", IntervalText(config_.collectors[slow].interval)}});
    }
  }
}

std::vector<std::string> AccountPoller::CollectorsNotReady() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> waiting;
  for (const Collector collector : kAllCollectors) {
    const CollectorState& state = state_.collectors[collector];
    if (state.status.enabled && !state.last_success) waiting.push_back(state.status.name);
  }
  return waiting;
}

std::shared_ptr<const AccountPoller::Carried> AccountPoller::Handover() const {
  std::lock_guard lock(mutex_);
  return std::make_shared<const Carried>(Carried{state_});
}

void AccountPoller::TakeOver(const Carried& carried) {
  std::lock_guard lock(mutex_);
  const State previous = carried.state;
  for (const Collector collector : kAllCollectors) {
    CollectorState& state = state_.collectors[collector];
    const CollectorState& before = previous.collectors[collector];
    if (!Enabled(collector)) continue;  // a collector switched off starts from nothing
    state = before;
    state.status.enabled = true;
  }
  state_.up = previous.up;
  if (Enabled(Collector::kSites)) state_.sites = previous.sites;
  if (Enabled(Collector::kDevices)) state_.devices = previous.devices;
  if (Enabled(Collector::kAlerts)) state_.alerts = previous.alerts;
  if (Enabled(Collector::kRateStatus)) state_.rate = previous.rate;
  state_.rate_status_settled = state_.rate_status_settled || previous.rate_status_settled;
  ReplanLocked();
}

}  // namespace drmm
