#include "exporter/poll/account_poller.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/duration.h"
#include "common/log.h"
#include "exporter/collect/alerts_fold.h"
#include "exporter/collect/devices_fold.h"
#include "exporter/collect/rate_data.h"
#include "exporter/collect/sites_fold.h"
#include "exporter/poll/budget.h"

namespace drmm {
namespace {

datto::ClientOptions ClientOptionsFor(const AccountConfig& config, const PollerTuning& tuning) {
  datto::ClientOptions options;
  options.base_url = config.base_url;
  options.api_key = config.api_key;
  options.api_secret = config.api_secret;
  options.retry = tuning.retry;
  return options;
}

// Until the first rate status answer says otherwise, Datto's window is 60 s.
constexpr Duration kDefaultApiWindow = std::chrono::seconds(60);
// How long the other collectors wait for the first rate status answer before starting anyway.
constexpr Duration kFirstRateStatusWait = std::chrono::seconds(30);

datto::GovernorOptions GovernorOptionsFor(const RateLimitConfig& rate_limit) {
  datto::GovernorOptions options;
  options.budget = OwnBudgetPerWindow(rate_limit.requests_per_minute, kDefaultApiWindow);
  options.window = GovernorWindow(kDefaultApiWindow);
  options.default_retry_after = rate_limit.default_retry_after;
  options.block_pause = rate_limit.block_pause;
  return options;
}

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

}  // namespace

std::string_view CollectorName(CollectorKind kind) {
  return kCollectorNames[static_cast<std::size_t>(kind)];
}

AccountPoller::AccountPoller(AccountConfig config, std::shared_ptr<const SiteFilter> site_filter,
                             datto::HttpTransport& transport, datto::ApiObserver& observer,
                             Clock& clock, const PollerTuning& tuning)
    : config_(std::move(config)),
      site_filter_(std::move(site_filter)),
      transport_(transport),
      clock_(clock),
      governor_(std::make_unique<datto::SlidingWindowGovernor>(
          GovernorOptionsFor(config_.rate_limit), clock)),
      client_(std::make_unique<datto::DattoClient>(ClientOptionsFor(config_, tuning), transport,
                                                   *governor_, observer, clock)) {
  for (int i = 0; i < kCollectorCount; ++i) {
    const auto kind = static_cast<CollectorKind>(i);
    collectors_[i].status.name = std::string(CollectorName(kind));
    collectors_[i].status.enabled = Enabled(kind);
  }
  rate_status_settled_ = !config_.rate_status.enabled;
  std::lock_guard lock(mutex_);
  ReplanLocked();
}

AccountPoller::~AccountPoller() { Stop(); }

bool AccountPoller::Enabled(CollectorKind kind) const {
  switch (kind) {
    case CollectorKind::kSites:
      return config_.sites.enabled;
    case CollectorKind::kDevices:
      return config_.devices.enabled;
    case CollectorKind::kAlerts:
      return config_.alerts.enabled;
    case CollectorKind::kRateStatus:
      return config_.rate_status.enabled;
  }
  return false;
}

Duration AccountPoller::IntervalOf(CollectorKind kind) const {
  std::lock_guard lock(mutex_);
  return plan_.intervals[static_cast<std::size_t>(kind)];
}

Duration AccountPoller::ConfiguredInterval(CollectorKind kind) const {
  switch (kind) {
    case CollectorKind::kSites:
      return config_.sites.interval;
    case CollectorKind::kDevices:
      return config_.devices.interval;
    case CollectorKind::kAlerts:
      return config_.alerts.interval;
    case CollectorKind::kRateStatus:
      return config_.rate_status.interval;
  }
  return std::chrono::minutes(5);
}

void AccountPoller::Start() {
  for (int i = 0; i < kCollectorCount; ++i) {
    const auto kind = static_cast<CollectorKind>(i);
    if (!Enabled(kind)) continue;
    threads_.emplace_back([this, kind](const std::stop_token& stop) { Loop(kind, stop); });
  }
}

void AccountPoller::RequestStop() {
  for (auto& thread : threads_) thread.request_stop();
  // A request in flight would otherwise hold its thread until the read timeout.
  if (!threads_.empty()) transport_.CancelInFlight();
}

void AccountPoller::Join() { threads_.clear(); }  // jthread joins on destruction

bool AccountPoller::AwaitFirstRateStatus(const std::stop_token& stop) {
  std::unique_lock lock(mutex_);
  rate_status_settled_cv_.wait_for(lock, stop, kFirstRateStatusWait,
                                   [this] { return rate_status_settled_; });
  return !stop.stop_requested();
}

void AccountPoller::Loop(CollectorKind kind, const std::stop_token& stop) {
  if (kind != CollectorKind::kRateStatus && !AwaitFirstRateStatus(stop)) return;
  auto next = clock_.Now();
  while (clock_.SleepUntil(next, stop)) {
    const auto started = clock_.Now();
    RunOnce(kind, stop);
    // One thread per collector: a run that outlasts its interval delays the next one instead
    // of overlapping it.
    next = started + IntervalOf(kind);
  }
}

AccountPoller::Collected AccountPoller::Collect(CollectorKind kind, const std::stop_token& stop) {
  Collected out;
  switch (kind) {
    case CollectorKind::kSites: {
      SitesFold fold;
      out.status = client_->ForEachSite(
          [&](auto&& page) {
            ++out.requests;
            fold.Add(std::move(page));
          },
          stop);
      if (out.status.ok()) out.sites = std::make_shared<const SitesData>(std::move(fold).Finish());
      return out;
    }
    case CollectorKind::kDevices: {
      DevicesFold fold(config_.device_metrics);
      out.status = client_->ForEachDevice(
          [&](auto&& page) {
            ++out.requests;
            fold.Add(std::move(page));
          },
          stop);
      if (out.status.ok()) {
        out.devices = std::make_shared<const DevicesData>(std::move(fold).Finish());
      }
      return out;
    }
    case CollectorKind::kAlerts: {
      AlertsFold fold;
      out.status = client_->ForEachOpenAlert(
          [&](auto&& page) {
            ++out.requests;
            fold.Add(std::move(page));
          },
          stop);
      if (out.status.ok()) {
        out.alerts = std::make_shared<const AlertsData>(std::move(fold).Finish());
      }
      return out;
    }
    case CollectorKind::kRateStatus: {
      const SteadyTime asked = clock_.Now();
      auto result = client_->GetRateStatus(stop);
      out.requests = 1;
      if (!result.ok()) {
        out.status = result.status();
        return out;
      }
      AdjustBudget(result.value(), asked);
      out.rate = std::make_shared<const RateData>(RateDataFrom(result.value()));
      return out;
    }
  }
  out.status = {datto::ErrorKind::kHttp, "unknown collector"};
  return out;
}

bool AccountPoller::RunOnce(CollectorKind kind, const std::stop_token& stop) {
  const auto started = clock_.Now();
  Collected collected = Collect(kind, stop);
  const datto::Status& status = collected.status;
  const double seconds = std::chrono::duration<double>(clock_.Now() - started).count();
  if (status.kind() == datto::ErrorKind::kCancelled) return false;  // shutting down: keep state

  bool recovered = false;
  bool never_succeeded = false;
  {
    // Data and status change together: a scrape never sees new data beside the old success
    // flag and timestamp (which decide staleness), or the reverse.
    std::lock_guard lock(mutex_);
    if (collected.sites) sites_ = std::move(collected.sites);
    if (collected.devices) devices_ = std::move(collected.devices);
    if (collected.alerts) alerts_ = std::move(collected.alerts);
    if (collected.rate) rate_ = std::move(collected.rate);
    if (kind == CollectorKind::kRateStatus && !rate_status_settled_) {
      rate_status_settled_ = true;
      rate_status_settled_cv_.notify_all();
    }
    if (status.ok()) {
      requests_per_run_[static_cast<std::size_t>(kind)] = std::max(1, collected.requests);
      ReplanLocked();
    }
    auto& state = collectors_[static_cast<int>(kind)];
    recovered = status.ok() && state.status.ran && !state.status.last_success;
    never_succeeded = !state.status.last_success_unix.has_value() && !status.ok();
    state.status.ran = true;
    state.status.last_success = status.ok();
    state.status.last_duration_seconds = seconds;
    if (status.ok()) {
      state.last_success = clock_.Now();
      state.status.last_success_unix = ToUnixSeconds(clock_.WallNow());
      up_ = true;
    } else if (ApiUnreachable(status.kind())) {
      up_ = false;
    }
  }
  if (on_change_) on_change_();
  const std::string collector(CollectorName(kind));
  if (!status.ok()) {
    LogWarn(never_succeeded ? "collector failed; it has no data to serve yet"
                            : "collector failed; serving its last good data until max_staleness",
            {{"account", config_.name},
             {"collector", collector},
             {"error", datto::ErrorKindName(status.kind())},
             {"detail", status.message()}});
  } else if (recovered) {
    LogInfo("collector recovered", {{"account", config_.name}, {"collector", collector}});
  } else {
    LogDebug("collector succeeded", {{"account", config_.name},
                                     {"collector", collector},
                                     {"seconds", std::to_string(seconds)}});
  }
  return status.ok();
}

AccountSnapshot AccountPoller::Current() const {
  AccountSnapshot snapshot;
  snapshot.account = config_.name;
  snapshot.site_filter = site_filter_;
  snapshot.device_metrics = config_.device_metrics.enabled;
  if (const auto expiry = client_->TokenExpiry()) {
    snapshot.token_expiry_unix = ToUnixSeconds(*expiry);
  }
  const auto now = clock_.Now();
  const int budget = governor_->Budget();
  snapshot.requests_in_window = governor_->RequestsInWindow();
  std::lock_guard lock(mutex_);
  snapshot.budget_requests_per_minute = PerMinute(budget, api_window_);
  snapshot.poll_budget_utilization_ratio = plan_.utilization;
  snapshot.up = up_;
  // Data whose last success is older than max_staleness is dropped, so its series disappear
  // instead of freezing at values nobody can vouch for.
  auto fresh = [&](CollectorKind kind) {
    const auto& last = collectors_[static_cast<int>(kind)].last_success;
    return last && now - *last <= config_.max_staleness;
  };
  for (const auto& state : collectors_) {
    snapshot.collectors.push_back(state.status);
    if (state.last_success && now - *state.last_success <= config_.max_staleness) {
      // Fresh while now - last_success <= max_staleness: stale from the next tick on.
      const SteadyTime stale_at = *state.last_success + config_.max_staleness + Duration(1);
      if (!snapshot.next_stale_at || stale_at < *snapshot.next_stale_at) {
        snapshot.next_stale_at = stale_at;
      }
    }
  }
  if (fresh(CollectorKind::kSites)) snapshot.sites = sites_;
  snapshot.last_known_sites = sites_;
  if (fresh(CollectorKind::kDevices)) snapshot.devices = devices_;
  if (fresh(CollectorKind::kAlerts)) snapshot.alerts = alerts_;
  if (fresh(CollectorKind::kRateStatus)) snapshot.rate = rate_;
  return snapshot;
}

void AccountPoller::AdjustBudget(const datto::RateStatus& status, SteadyTime asked) {
  const Duration window =
      std::chrono::seconds(std::max<std::int64_t>(1, status.sliding_window_seconds.value_or(60)));
  const int own = OwnBudgetPerWindow(config_.rate_limit.requests_per_minute, window);
  int budget = own;
  if (status.account_count && status.account_rate_limit && *status.account_rate_limit > 0) {
    AccountUsage usage;
    usage.account_requests_in_window = *status.account_count;
    usage.account_rate_limit = *status.account_rate_limit;
    usage.cutoff_ratio = status.account_cutoff_ratio.value_or(0.9);
    usage.ours_in_window = OursSurelyCounted(window, asked);
    budget = AccountAwareBudget(own, usage);
  }
  governor_->SetWindow(GovernorWindow(window));
  governor_->SetBudget(budget);
  std::lock_guard lock(mutex_);
  // Said once per change of state, not on every rate status call.
  if ((budget < own) != budget_reduced_) {
    budget_reduced_ = budget < own;
    LogInfo(budget_reduced_
                ? "other API consumers leave less than this exporter's share; slowing down"
                : "the account has room for this exporter's full share again",
            {{"account", config_.name},
             {"budget_per_window", std::to_string(budget)},
             {"own_share_per_window", std::to_string(own)},
             {"account_requests_in_window", std::to_string(status.account_count.value_or(0))}});
  }
  api_window_ = window;
  ReplanLocked();
}

int AccountPoller::OursSurelyCounted(Duration window, SteadyTime asked) const {
  // The API counted accountCount at some moment T between `asked` and now. Our requests sent
  // after now - window and answered by `asked` had arrived and were inside its window at T,
  // whatever T was. Sends before that may have left it; a request still in flight at `asked`
  // (on a busy machine, one sent a moment before can reach the API after the rate status call)
  // may not have been counted. Counting only the sure ones can only make the others look
  // bigger, never smaller: the safe side of the budget.
  return governor_->AnsweredBetween(clock_.Now() - window, asked);
}

void AccountPoller::ReplanLocked() {
  std::array<CollectorCost, kPlannedCollectors> costs;
  for (int i = 0; i < kCollectorCount; ++i) {
    const auto kind = static_cast<CollectorKind>(i);
    costs[static_cast<std::size_t>(i)] = {Enabled(kind), ConfiguredInterval(kind),
                                          requests_per_run_[static_cast<std::size_t>(i)]};
  }
  // Data must be refreshed before max_staleness drops it, with room for the run itself.
  const Duration max_interval = std::chrono::duration_cast<Duration>(config_.max_staleness * 4 / 5);
  const double budget = PerMinute(governor_->Budget(), api_window_);
  plan_ = PlanSchedule(costs, budget, max_interval);
  if (plan_.stretched != reported_stretch_) {
    reported_stretch_ = plan_.stretched;
    auto interval_text = [&](CollectorKind kind) {
      return FormatDuration(std::chrono::duration_cast<std::chrono::milliseconds>(
          plan_.intervals[static_cast<std::size_t>(kind)]));
    };
    const std::initializer_list<LogField> fields = {
        {"account", config_.name},
        // Whole requests: "570", not std::to_string's "570.000000".
        {"planned_requests_per_minute",
         std::to_string(std::lround(plan_.planned_requests_per_minute))},
        {"budget_requests_per_minute",
         std::to_string(std::lround(plan_.budget_requests_per_minute))},
        {"alerts_every", interval_text(CollectorKind::kAlerts)},
        {"sites_every", interval_text(CollectorKind::kSites)},
        {"devices_every", interval_text(CollectorKind::kDevices)}};
    if (plan_.stretched) {
      LogWarn(
          "the configured intervals do not fit the rate budget; stretching them (devices "
          "first, alerts last) instead of exceeding it",
          fields);
    } else {
      LogInfo("the configured intervals fit the rate budget again", fields);
    }
  }
}

std::vector<std::string> AccountPoller::CollectorsNotReady() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> waiting;
  for (const auto& state : collectors_) {
    if (state.status.enabled && !state.last_success) waiting.push_back(state.status.name);
  }
  return waiting;
}

}  // namespace drmm
