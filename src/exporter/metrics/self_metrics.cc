#include "exporter/metrics/self_metrics.h"

#include <array>
#include <set>
#include <string_view>
#include <utility>

#include "datto/endpoints.h"
#include "exporter/catalog/catalog.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace drmm {
namespace {

// Datto answers most reads in 0.05..2 s, adds a 1 s delay per response above 90% of the
// account's limit, and a full 250-device page can take tens of seconds.
const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.05, 0.1, 0.25, 0.5, 1, 1.5,
                                                                   2.5,  5,   10,   20,  30};
  return kBuckets;
}

constexpr std::array<std::string_view, 5> kRetryReasons = {
    "transport", "server_error", "unauthorized", "decode", "rate_limited"};
// The JSON fields whose values the client and the folds check against the documented sets.
constexpr std::array<std::string_view, 4> kEnumFields = {"patchStatus", "antivirusStatus",
                                                         "priority", "deviceClass"};
// Distinct unknown values remembered per account; beyond this, new ones are no longer counted
// (a misbehaving API must not grow the exporter's memory without bound).
constexpr std::size_t kMaxUnknownValues = 1000;

template <typename Builder>
auto& Register(Builder builder, const MetricSpec& spec, prometheus::Registry& registry) {
  return builder.Name(std::string(spec.name)).Help(std::string(spec.help)).Register(registry);
}

}  // namespace

class SelfMetrics::AccountObserver final : public datto::ApiObserver {
 public:
  AccountObserver(SelfMetrics& metrics, std::string account)
      : metrics_(metrics),
        account_(std::move(account)),
        throttle_wait_(metrics.throttle_wait_.Add({{"account", account_}})),
        rate_limited_(metrics.rate_limited_.Add({{"account", account_}})),
        blocked_(metrics.blocked_.Add({{"account", account_}})) {
    for (const auto reason : kRetryReasons) {
      metrics.retries_.Add({{"account", account_}, {"reason", std::string(reason)}});
    }
    for (const auto field : kEnumFields) {
      metrics.unknown_enum_values_.Add({{"account", account_}, {"field", std::string(field)}});
    }
    for (const auto endpoint : datto::endpoint::kAll) {
      metrics.decode_errors_.Add({{"account", account_}, {"endpoint", std::string(endpoint)}});
      metrics.decode_warnings_.Add({{"account", account_}, {"endpoint", std::string(endpoint)}});
    }
  }

  void OnRequest(std::string_view endpoint, std::string_view code, double seconds) override {
    prometheus::Counter* requests = nullptr;
    prometheus::Histogram* duration = nullptr;
    {
      std::lock_guard lock(mutex_);
      std::string key;
      key.reserve(endpoint.size() + code.size() + 1);
      key.append(endpoint).append(1, '\0').append(code);
      auto& counter = requests_[std::move(key)];
      if (counter == nullptr) {
        counter = &metrics_.requests_.Add({{"account", account_},
                                           {"endpoint", std::string(endpoint)},
                                           {"code", std::string(code)}});
      }
      requests = counter;
      auto& histogram = durations_[std::string(endpoint)];
      if (histogram == nullptr) {
        histogram = &metrics_.request_duration_.Add(
            {{"account", account_}, {"endpoint", std::string(endpoint)}}, DurationBuckets());
      }
      duration = histogram;
    }
    requests->Increment();
    duration->Observe(seconds);
  }

  void OnRetry(std::string_view reason) override {
    metrics_.retries_.Add({{"account", account_}, {"reason", std::string(reason)}}).Increment();
  }

  void OnDecodeError(std::string_view endpoint) override {
    metrics_.decode_errors_.Add({{"account", account_}, {"endpoint", std::string(endpoint)}})
        .Increment();
  }

  void OnDecodeWarnings(std::string_view endpoint, std::int64_t count) override {
    metrics_.decode_warnings_.Add({{"account", account_}, {"endpoint", std::string(endpoint)}})
        .Increment(static_cast<double>(count));
  }

  void OnUnknownEnumValue(std::string_view field, std::string_view value) override {
    {
      std::lock_guard lock(mutex_);
      if (unknown_values_.size() >= kMaxUnknownValues) return;
      if (!unknown_values_.emplace(std::string(field), std::string(value)).second) return;
    }
    metrics_.unknown_enum_values_.Add({{"account", account_}, {"field", std::string(field)}})
        .Increment();
  }

  void OnThrottleWait(double seconds) override {
    if (seconds > 0) throttle_wait_.Increment(seconds);
  }

  void OnRateLimited() override { rate_limited_.Increment(); }

  void OnBlocked(bool active) override { blocked_.Set(active ? 1 : 0); }

  // The token's expiry reaches /metrics through the Snapshot (AccountSnapshot).
  void OnTokenIssued(WallTime /*expiry*/) override {}

 private:
  SelfMetrics& metrics_;
  const std::string account_;
  prometheus::Counter& throttle_wait_;
  prometheus::Counter& rate_limited_;
  prometheus::Gauge& blocked_;

  std::mutex mutex_;  // guards the three members below
  // Series already looked up, so a request costs one map lookup instead of building a label
  // map (and, for histograms, a throw-away Histogram) inside prometheus-cpp.
  std::map<std::string, prometheus::Counter*> requests_;          // by endpoint '\0' code
  std::map<std::string, prometheus::Histogram*> durations_;       // by endpoint
  std::set<std::pair<std::string, std::string>> unknown_values_;  // (field, value) counted
};

SelfMetrics::SelfMetrics(std::string version, std::string revision)
    : registry_(std::make_shared<prometheus::Registry>()),
      requests_(Register(prometheus::BuildCounter(), kMetricApiRequests, *registry_)),
      request_duration_(
          Register(prometheus::BuildHistogram(), kMetricApiRequestDuration, *registry_)),
      retries_(Register(prometheus::BuildCounter(), kMetricApiRetries, *registry_)),
      decode_errors_(Register(prometheus::BuildCounter(), kMetricDecodeErrors, *registry_)),
      decode_warnings_(Register(prometheus::BuildCounter(), kMetricDecodeWarnings, *registry_)),
      unknown_enum_values_(
          Register(prometheus::BuildCounter(), kMetricUnknownEnumValues, *registry_)),
      throttle_wait_(Register(prometheus::BuildCounter(), kMetricThrottleWait, *registry_)),
      rate_limited_(Register(prometheus::BuildCounter(), kMetricRateLimited, *registry_)),
      blocked_(Register(prometheus::BuildGauge(), kMetricBlocked, *registry_)),
      reload_successful_(
          Register(prometheus::BuildGauge(), kMetricConfigLastReloadSuccessful, *registry_)
              .Add({})),
      reload_success_time_(
          Register(prometheus::BuildGauge(), kMetricConfigLastReloadSuccessTimestamp, *registry_)
              .Add({})),
      scrapes_(Register(prometheus::BuildCounter(), kMetricHandlerRequests, *registry_)),
      scrapes_in_flight_(
          Register(prometheus::BuildGauge(), kMetricHandlerInFlight, *registry_).Add({})) {
  Register(prometheus::BuildGauge(), kMetricBuildInfo, *registry_)
      .Add({{"version", std::move(version)}, {"revision", std::move(revision)}})
      .Set(1);
  // The codes the handler answers with (promhttp creates the same three at 0).
  for (const char* code : {"200", "500", "503"}) scrapes_.Add({{"code", code}});
}

SelfMetrics::~SelfMetrics() = default;

void SelfMetrics::OnConfigLoad(bool success, double unix_time) {
  reload_successful_.Set(success ? 1 : 0);
  if (success) reload_success_time_.Set(unix_time);
}

void SelfMetrics::OnScrapeStarted() { scrapes_in_flight_.Increment(); }

void SelfMetrics::OnScrapeFinished(int status) {
  scrapes_in_flight_.Decrement();
  scrapes_.Add({{"code", std::to_string(status)}}).Increment();
}

datto::ApiObserver& SelfMetrics::ObserverFor(const std::string& account) {
  std::lock_guard lock(mutex_);
  auto& observer = observers_[account];
  if (!observer) observer = std::make_unique<AccountObserver>(*this, account);
  return *observer;
}

}  // namespace drmm
