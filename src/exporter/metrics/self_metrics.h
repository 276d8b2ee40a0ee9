// The exporter's own metrics (its API traffic, retries, waits, build info) in a Registry of
// their own, separate from the Datto data. Families are built once and their references kept;
// series whose label values are known in advance are created at 0 when an account first asks
// for its observer, so rate() and increase() work from the first event.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "datto/api_observer.h"
// Complete, so callers can hand registry() on as a shared_ptr<prometheus::Collectable>.
#include "prometheus/registry.h"

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace drmm {

class SelfMetrics {
 public:
  SelfMetrics(std::string version, std::string revision);
  ~SelfMetrics();
  SelfMetrics(const SelfMetrics&) = delete;
  SelfMetrics& operator=(const SelfMetrics&) = delete;
  SelfMetrics(SelfMetrics&&) = delete;
  SelfMetrics& operator=(SelfMetrics&&) = delete;

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // The observer that feeds `account`'s series; the same object for every call with the same
  // name, valid as long as this SelfMetrics. Thread-safe, and so is the observer.
  datto::ApiObserver& ObserverFor(const std::string& account);

  // A load of the configuration (the first at start, then each reload): whether it applied,
  // and when. A failed one leaves the success timestamp where it was.
  void OnConfigLoad(bool success, double unix_time);
  // promhttp's handler metrics: a scrape started; a scrape ended with this HTTP status.
  void OnScrapeStarted();
  void OnScrapeFinished(int status);

 private:
  class AccountObserver;

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& request_duration_;
  prometheus::Family<prometheus::Counter>& retries_;
  prometheus::Family<prometheus::Counter>& decode_errors_;
  prometheus::Family<prometheus::Counter>& decode_warnings_;
  prometheus::Family<prometheus::Counter>& unknown_enum_values_;
  prometheus::Family<prometheus::Counter>& throttle_wait_;
  prometheus::Family<prometheus::Counter>& rate_limited_;
  prometheus::Family<prometheus::Gauge>& blocked_;
  prometheus::Gauge& reload_successful_;
  prometheus::Gauge& reload_success_time_;
  prometheus::Family<prometheus::Counter>& scrapes_;
  prometheus::Gauge& scrapes_in_flight_;

  std::mutex mutex_;  // guards observers_
  std::map<std::string, std::unique_ptr<AccountObserver>> observers_;
};

}  // namespace drmm
