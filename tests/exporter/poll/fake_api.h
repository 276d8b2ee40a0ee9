// A datto::Api the poller tests script: each walk serves fixed pages (or fails with a queued
// error), and every call is counted, so the poller's schedule and state can be tested without
// a network or the simulator.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "datto/api.h"

namespace drmm::testing {

class FakeApi final : public datto::Api {
 public:
  std::vector<std::vector<datto::Site>> site_pages = {{Site("s1", "One"), Site("s2", "Two")}};
  std::vector<std::vector<datto::Device>> device_pages = {{Device("d1", "s1")}};
  std::vector<std::vector<datto::Alert>> alert_pages = {{Alert("a1", "s1")}, {Alert("a2", "s2")}};
  datto::RateStatus rate_status = [] {
    datto::RateStatus status;
    status.sliding_window_seconds = 60;
    status.account_count = 10;
    status.account_rate_limit = 600;
    status.account_cutoff_ratio = 0.9;
    return status;
  }();

  // The next call of this walk fails with `status` (one failure per queued entry).
  void FailNext(Collector collector, datto::Status status) {
    std::lock_guard lock(mutex_);
    failures_[IndexOf(collector)].push_back(std::move(status));
  }
  int Calls(Collector collector) const { return calls_[IndexOf(collector)].load(); }

  datto::Status ForEachSite(const datto::PageSink<datto::Site>& sink,
                            const std::stop_token&) override {
    return Serve(Collector::kSites, site_pages, sink);
  }
  datto::Status ForEachDevice(const datto::PageSink<datto::Device>& sink,
                              const std::stop_token&) override {
    return Serve(Collector::kDevices, device_pages, sink);
  }
  datto::Status ForEachOpenAlert(const datto::PageSink<datto::Alert>& sink,
                                 const std::stop_token&) override {
    return Serve(Collector::kAlerts, alert_pages, sink);
  }
  datto::Result<datto::RateStatus> GetRateStatus(const std::stop_token&) override {
    if (auto failure = NextFailure(Collector::kRateStatus)) return *failure;
    return rate_status;
  }
  std::optional<WallTime> TokenExpiry() const override { return std::nullopt; }

  static datto::Site Site(std::string uid, std::string name) {
    datto::Site site;
    site.uid = std::move(uid);
    site.name = std::move(name);
    return site;
  }
  static datto::Device Device(std::string uid, std::string site_uid) {
    datto::Device device;
    device.uid = std::move(uid);
    device.site_uid = std::move(site_uid);
    device.online = true;
    return device;
  }
  static datto::Alert Alert(std::string uid, std::string site_uid) {
    datto::Alert alert;
    alert.alert_uid = std::move(uid);
    alert.site_uid = std::move(site_uid);
    alert.priority = "Critical";
    return alert;
  }

 private:
  std::optional<datto::Status> NextFailure(Collector collector) {
    ++calls_[IndexOf(collector)];
    std::lock_guard lock(mutex_);
    auto& queue = failures_[IndexOf(collector)];
    if (queue.empty()) return std::nullopt;
    datto::Status failure = std::move(queue.front());
    queue.pop_front();
    return failure;
  }
  template <typename Item>
  datto::Status Serve(Collector collector, std::vector<std::vector<Item>> pages,
                      const datto::PageSink<Item>& sink) {
    if (auto failure = NextFailure(collector)) return *failure;
    for (auto& page : pages) sink(std::move(page));
    return datto::Status::Ok();
  }

  std::mutex mutex_;
  std::deque<datto::Status> failures_[kCollectorCount];
  std::atomic<int> calls_[kCollectorCount] = {};
};

}  // namespace drmm::testing
