#include "sim/churn.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <unordered_set>

#include "sim/generator.h"

namespace drmm::sim {
namespace {

enum class Event {
  kDeviceOffline,
  kDeviceOnline,
  kAlertOpen,
  kAlertResolve,
  kPatchChange,
  kSiteAdd,
  kSiteRemove,
};
constexpr int kEventKinds = 7;

class Churner {
 public:
  Churner(AccountState& state, Rng& rng, std::int64_t now_ms, const ChurnOptions& options)
      : state_(state), rng_(rng), now_ms_(now_ms), options_(options) {}

  void Apply(int events) {
    for (int i = 0; i < events; ++i) {
      const auto first = static_cast<int>(rng_.Weighted({28, 28, 17, 17, 6, 2, 2}));
      // An event that cannot happen (no offline device to bring back, ...) passes to the next
      // kind, so every call changes something whenever anything can change.
      for (int k = 0; k < kEventKinds; ++k) {
        if (Try(static_cast<Event>((first + k) % kEventKinds))) break;
      }
    }
    // Device and alert indexes are not used while events are drawn (only positions are), so
    // they are rebuilt once per batch: at 100,000 devices a rebuild costs tens of milliseconds.
    if (devices_dirty_) RebuildDeviceIndex(state_);
    if (alerts_dirty_) RebuildAlertIndex(state_);
  }

 private:
  bool InDeletedSite(const SimDevice& d) const {
    const SimSite* site = state_.FindSite(d.site_uid);
    return site == nullptr || site->IsDeletedDevicesSite();
  }

  // A random position whose item satisfies `pred`: a few random probes, then a scan from a
  // random start, so rare matches are still found and the draw stays deterministic.
  template <typename Items, typename Pred>
  std::optional<std::size_t> Find(const Items& items, Pred pred) {
    if (items.empty()) return std::nullopt;
    for (int probe = 0; probe < 16; ++probe) {
      const auto i = static_cast<std::size_t>(rng_.Below(items.size()));
      if (pred(*items[i])) return i;
    }
    const auto start = static_cast<std::size_t>(rng_.Below(items.size()));
    for (std::size_t k = 0; k < items.size(); ++k) {
      const std::size_t i = (start + k) % items.size();
      if (pred(*items[i])) return i;
    }
    return std::nullopt;
  }

  void ReplaceDevice(std::size_t i, const std::function<void(SimDevice&)>& change) {
    SimDevice copy = *state_.devices[i];
    change(copy);
    state_.devices[i] = std::make_shared<const SimDevice>(std::move(copy));
  }

  bool Try(Event event) {
    switch (event) {
      case Event::kDeviceOffline:
      case Event::kDeviceOnline: {
        const bool to_online = event == Event::kDeviceOnline;
        const auto i = Find(state_.devices, [&](const SimDevice& d) {
          return d.online.value_or(false) != to_online && !InDeletedSite(d);
        });
        if (!i) return false;
        ReplaceDevice(*i, [&](SimDevice& d) {
          d.online = to_online;
          d.last_seen = now_ms_;
        });
        return true;
      }
      case Event::kPatchChange: {
        const auto i = Find(state_.devices, [&](const SimDevice& d) {
          return d.patch_management && d.patch_management->patch_status && !InDeletedSite(d);
        });
        if (!i) return false;
        ReplaceDevice(*i, [&](SimDevice& d) { RandomizePatchState(rng_, d); });
        return true;
      }
      case Event::kAlertOpen: {
        const auto i = Find(state_.devices, [&](const SimDevice& d) { return !InDeletedSite(d); });
        if (!i) return false;
        const SimDevice& device = *state_.devices[*i];
        auto alert = std::make_shared<const SimAlert>(
            MakeAlert(rng_, device, *state_.FindSite(device.site_uid), now_ms_));
        const auto at = std::upper_bound(
            state_.alerts.begin(), state_.alerts.end(), alert,
            [](const auto& a, const auto& b) { return AlertServedBefore(*a, *b); });
        state_.alerts.insert(at, std::move(alert));
        alerts_dirty_ = true;
        return true;
      }
      case Event::kAlertResolve: {
        if (state_.alerts.empty()) return false;
        const auto i = static_cast<std::ptrdiff_t>(rng_.Below(state_.alerts.size()));
        state_.alerts.erase(state_.alerts.begin() + i);
        alerts_dirty_ = true;
        return true;
      }
      case Event::kSiteAdd:
        return AddSite();
      case Event::kSiteRemove:
        return RemoveSite();
    }
    return false;
  }

  bool AddSite() {
    std::unordered_set<std::string> names;
    for (const auto& s : state_.sites) names.insert(s->name);
    auto site = std::make_shared<const SimSite>(
        MakeSite(rng_, state_.next_site_id++, MakeSiteName(rng_, names), false));
    state_.sites.push_back(site);
    RebuildSiteIndex(state_);
    const auto device_count = static_cast<int>(rng_.Between(1, 8));
    std::array<int, 6> numbers{};
    for (int k = 0; k < device_count; ++k) {
      const DeviceKind kind = PickDeviceKind(rng_);
      const int number = ++numbers[static_cast<std::size_t>(kind)];
      state_.devices.push_back(std::make_shared<const SimDevice>(MakeDevice(
          rng_, state_.next_device_id++, *site, kind, number, options_.online_ratio, now_ms_)));
    }
    devices_dirty_ = true;
    return true;
  }

  bool RemoveSite() {
    // Keeps "Deleted Devices" and at least one regular site.
    const auto regular = std::count_if(state_.sites.begin(), state_.sites.end(), [](const auto& s) {
      return !s->IsDeletedDevicesSite() && !s->on_demand.value_or(false);
    });
    if (regular < 2) return false;
    const auto i = Find(state_.sites, [](const SimSite& s) {
      return !s.IsDeletedDevicesSite() && !s.on_demand.value_or(false);
    });
    if (!i) return false;
    const std::string uid = state_.sites[*i]->uid;
    state_.sites.erase(state_.sites.begin() + static_cast<std::ptrdiff_t>(*i));
    std::erase_if(state_.devices, [&](const auto& d) { return d->site_uid == uid; });
    std::erase_if(state_.alerts, [&](const auto& a) { return a->site_uid == uid; });
    RebuildSiteIndex(state_);
    devices_dirty_ = true;
    alerts_dirty_ = true;
    return true;
  }

  AccountState& state_;
  Rng& rng_;
  const std::int64_t now_ms_;
  const ChurnOptions& options_;
  bool devices_dirty_ = false;
  bool alerts_dirty_ = false;
};

}  // namespace

void ApplyChurnEvents(AccountState& state, int events, Rng& rng, std::int64_t now_ms,
                      const ChurnOptions& options) {
  Churner(state, rng, now_ms, options).Apply(events);
}

}  // namespace drmm::sim
