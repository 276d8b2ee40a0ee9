#include "exporter/poll/account_poller.h"

#include <utility>

#include "common/log.h"
#include "exporter/collect/alerts_fold.h"
#include "exporter/collect/devices_fold.h"
#include "exporter/collect/rate_data.h"
#include "exporter/collect/sites_fold.h"

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

datto::GovernorOptions GovernorOptionsFor(const RateLimitConfig& rate_limit) {
  datto::GovernorOptions options;
  options.budget = rate_limit.requests_per_minute;
  options.window = std::chrono::seconds(60);
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
}

AccountPoller::~AccountPoller() { Stop(); }

bool AccountPoller::Enabled(CollectorKind kind) const {
  switch (kind) {
    case CollectorKind::kSites: return config_.sites.enabled;
    case CollectorKind::kDevices: return config_.devices.enabled;
    case CollectorKind::kAlerts: return config_.alerts.enabled;
    case CollectorKind::kRateStatus: return config_.rate_status.enabled;
  }
  return false;
}

Duration AccountPoller::IntervalOf(CollectorKind kind) const {
  switch (kind) {
    case CollectorKind::kSites: return config_.sites.interval;
    case CollectorKind::kDevices: return config_.devices.interval;
    case CollectorKind::kAlerts: return config_.alerts.interval;
    case CollectorKind::kRateStatus: return config_.rate_status.interval;
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

void AccountPoller::Loop(CollectorKind kind, const std::stop_token& stop) {
  auto next = clock_.Now();
  while (clock_.SleepUntil(next, stop)) {
    const auto started = clock_.Now();
    RunOnce(kind, stop);
    // One thread per collector: a run that outlasts its interval delays the next one instead
    // of overlapping it.
    next = started + IntervalOf(kind);
  }
}

datto::Status AccountPoller::Collect(CollectorKind kind, const std::stop_token& stop) {
  switch (kind) {
    case CollectorKind::kSites: {
      SitesFold fold;
      auto status = client_->ForEachSite([&](auto&& page) { fold.Add(std::move(page)); }, stop);
      if (!status.ok()) return status;
      auto data = std::make_shared<const SitesData>(std::move(fold).Finish());
      std::lock_guard lock(mutex_);
      sites_ = std::move(data);
      return status;
    }
    case CollectorKind::kDevices: {
      DevicesFold fold(config_.device_metrics);
      auto status = client_->ForEachDevice([&](auto&& page) { fold.Add(std::move(page)); }, stop);
      if (!status.ok()) return status;
      auto data = std::make_shared<const DevicesData>(std::move(fold).Finish());
      std::lock_guard lock(mutex_);
      devices_ = std::move(data);
      return status;
    }
    case CollectorKind::kAlerts: {
      AlertsFold fold;
      auto status =
          client_->ForEachOpenAlert([&](auto&& page) { fold.Add(std::move(page)); }, stop);
      if (!status.ok()) return status;
      auto data = std::make_shared<const AlertsData>(std::move(fold).Finish());
      std::lock_guard lock(mutex_);
      alerts_ = std::move(data);
      return status;
    }
    case CollectorKind::kRateStatus: {
      auto result = client_->GetRateStatus(stop);
      if (!result.ok()) return result.status();
      auto data = std::make_shared<const RateData>(RateDataFrom(result.value()));
      std::lock_guard lock(mutex_);
      rate_ = std::move(data);
      return datto::Status::Ok();
    }
  }
  return {datto::ErrorKind::kHttp, "unknown collector"};
}

bool AccountPoller::RunOnce(CollectorKind kind, const std::stop_token& stop) {
  const auto started = clock_.Now();
  const datto::Status status = Collect(kind, stop);
  const double seconds = std::chrono::duration<double>(clock_.Now() - started).count();
  if (status.kind() == datto::ErrorKind::kCancelled) return false;  // shutting down: keep state

  bool recovered = false;
  {
    std::lock_guard lock(mutex_);
    auto& state = collectors_[static_cast<int>(kind)];
    recovered = status.ok() && state.status.ran && !state.status.last_success;
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
  const std::string collector(CollectorName(kind));
  if (!status.ok()) {
    LogWarn("collector failed; serving its last good data until max_staleness",
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
  std::lock_guard lock(mutex_);
  snapshot.up = up_;
  // Data whose last success is older than max_staleness is dropped, so its series disappear
  // instead of freezing at values nobody can vouch for.
  auto fresh = [&](CollectorKind kind) {
    const auto& last = collectors_[static_cast<int>(kind)].last_success;
    return last && now - *last <= config_.max_staleness;
  };
  for (const auto& state : collectors_) snapshot.collectors.push_back(state.status);
  if (fresh(CollectorKind::kSites)) snapshot.sites = sites_;
  if (fresh(CollectorKind::kDevices)) snapshot.devices = devices_;
  if (fresh(CollectorKind::kAlerts)) snapshot.alerts = alerts_;
  if (fresh(CollectorKind::kRateStatus)) snapshot.rate = rate_;
  return snapshot;
}

bool AccountPoller::Ready() const {
  std::lock_guard lock(mutex_);
  for (const auto& state : collectors_) {
    if (state.status.enabled && !state.last_success) return false;
  }
  return true;
}

}  // namespace drmm
