#include "sim/churn.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/generator.h"

namespace drmm::sim {
namespace {

enum class Event {
  kDeviceStatus,  // a device goes offline or comes back
  kAlert,         // an alert opens or resolves
  kPatchChange,
  kSite,  // a site appears or disappears
};
constexpr int kEventKinds = 4;
// Random devices looked at for one status change before the event passes to the next kind
// (when every device is where its kind's probability keeps it, e.g. an online ratio of 1).
constexpr int kStatusDraws = 64;
// The probability of the step that adds one (an alert opens, a site appears) rather than the
// one that takes one away, pulling `current` back to `target`: target² / (target² + current²),
// one half at the target; nullopt when both are zero (nothing to do). Plain target / (target +
// current), an M/M/infinity queue, lets the count stray further, and the alerts that leave with
// removed sites then hold it several percent low.
std::optional<double> PullUp(double current, int target) {
  const auto t = static_cast<double>(std::max(target, 0));
  if (t + current <= 0) return std::nullopt;
  return t * t / (t * t + current * current);
}

bool IsRegularSite(const SimSite& s) {
  return !s.IsDeletedDevicesSite() && !s.on_demand.value_or(false);
}

bool InDeletedSite(const AccountState& state, const SimDevice& d) {
  const SimSite* site = state.FindSite(d.site_uid);
  return site == nullptr || site->IsDeletedDevicesSite();
}

class Churner {
 public:
  Churner(AccountState& state, Rng& rng, std::int64_t now_ms, const ChurnOptions& options)
      : state_(state), rng_(rng), now_ms_(now_ms), options_(options) {}

  void Apply(int events) {
    for (int i = 0; i < events; ++i) {
      const auto first = static_cast<int>(rng_.Weighted({56, 34, 6, 4}));
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
  bool InDeleted(const SimDevice& d) const { return InDeletedSite(state_, d); }

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
      case Event::kDeviceStatus:
        return ChangeDeviceStatus();
      case Event::kAlert:
        return ChangeAlerts();
      case Event::kPatchChange: {
        const auto i = Find(state_.devices, [&](const SimDevice& d) {
          return d.patch_management && d.patch_management->patch_status && !InDeleted(d);
        });
        if (!i) return false;
        ReplaceDevice(*i, [&](SimDevice& d) { RandomizePatchState(rng_, d); });
        return true;
      }
      case Event::kSite:
        return ChangeSites();
    }
    return false;
  }

  // A random device flips with the probability that keeps it online with its kind's online
  // probability: online ones go offline with 1 - p, offline ones come back with p. At the
  // generated share nothing drifts; away from it, flips towards it outnumber flips away.
  bool ChangeDeviceStatus() {
    if (state_.devices.empty()) return false;
    for (int draw = 0; draw < kStatusDraws; ++draw) {
      const auto i = static_cast<std::size_t>(rng_.Below(state_.devices.size()));
      const SimDevice& device = *state_.devices[i];
      if (InDeleted(device)) continue;
      const bool online = device.online.value_or(false);
      const double p = OnlineProbability(KindOf(device), options_.online_ratio);
      if (!rng_.Chance(online ? 1.0 - p : p)) continue;
      ReplaceDevice(i, [&](SimDevice& d) {
        d.online = !online;
        d.last_seen = now_ms_;
      });
      return true;
    }
    return false;
  }

  // Opening rather than resolving is as likely as the count is below the target.
  bool ChangeAlerts() {
    const auto p = PullUp(static_cast<double>(state_.alerts.size()), options_.open_alerts);
    if (!p) return false;
    return rng_.Chance(*p) ? OpenAlert() : ResolveAlert();
  }

  bool OpenAlert() {
    const auto i = Find(state_.devices, [&](const SimDevice& d) { return !InDeleted(d); });
    if (!i) return false;
    const SimDevice& device = *state_.devices[*i];
    auto alert = std::make_shared<const SimAlert>(
        MakeAlert(rng_, device, *state_.FindSite(device.site_uid), now_ms_));
    const auto at =
        std::upper_bound(state_.alerts.begin(), state_.alerts.end(), alert,
                         [](const auto& a, const auto& b) { return AlertServedBefore(*a, *b); });
    state_.alerts.insert(at, std::move(alert));
    alerts_dirty_ = true;
    return true;
  }

  bool ResolveAlert() {
    if (state_.alerts.empty()) return false;
    const auto i = static_cast<std::ptrdiff_t>(rng_.Below(state_.alerts.size()));
    state_.alerts.erase(state_.alerts.begin() + i);
    alerts_dirty_ = true;
    return true;
  }

  bool ChangeSites() {
    const auto regular = std::count_if(state_.sites.begin(), state_.sites.end(),
                                       [](const auto& s) { return IsRegularSite(*s); });
    const auto p = PullUp(static_cast<double>(regular), options_.regular_sites);
    if (!p) return false;
    if (rng_.Chance(*p)) return AddSite();
    return regular >= 2 && RemoveSite();  // at least one regular site stays
  }

  // Devices per site and outside "Deleted Devices", counted when a site event first needs them
  // and kept up to date from then on (most batches have no site event).
  void CountDevices() {
    if (counted_) return;
    counted_ = true;
    for (const auto& d : state_.devices) {
      ++site_sizes_[d->site_uid];
      if (!InDeleted(*d)) ++active_;
    }
  }

  int SiteSize(const std::string& uid) const {
    const auto it = site_sizes_.find(uid);
    return it == site_sizes_.end() ? 0 : it->second;
  }

  bool AddSite() {
    CountDevices();
    std::unordered_set<std::string> names;
    for (const auto& s : state_.sites) names.insert(s->name);
    auto site = std::make_shared<const SimSite>(
        MakeSite(rng_, state_.next_site_id++, MakeSiteName(rng_, names), false));
    state_.sites.push_back(site);
    RebuildSiteIndex(state_);
    // The devices the account is short of, so the device total returns to its target.
    const int device_count = std::max(1, options_.active_devices - active_);
    std::array<int, 6> numbers{};
    for (int k = 0; k < device_count; ++k) {
      const DeviceKind kind = PickDeviceKind(rng_);
      const int number = ++numbers[static_cast<std::size_t>(kind)];
      state_.devices.push_back(std::make_shared<const SimDevice>(MakeDevice(
          rng_, state_.next_device_id++, *site, kind, number, options_.online_ratio, now_ms_)));
    }
    site_sizes_[site->uid] = device_count;
    active_ += device_count;
    devices_dirty_ = true;
    return true;
  }

  bool RemoveSite() {
    CountDevices();
    // A regular site goes with weight 1 / (1 + devices)²: small sites come and go, the big ones
    // of the spread practically never (which would empty and refill half the account).
    std::vector<std::size_t> candidates;
    std::vector<double> cumulative;
    double total = 0;
    for (std::size_t i = 0; i < state_.sites.size(); ++i) {
      if (!IsRegularSite(*state_.sites[i])) continue;
      const auto size = static_cast<double>(SiteSize(state_.sites[i]->uid));
      total += 1.0 / ((1.0 + size) * (1.0 + size));
      candidates.push_back(i);
      cumulative.push_back(total);
    }
    if (candidates.empty()) return false;
    const auto k = std::min<std::size_t>(
        static_cast<std::size_t>(
            std::upper_bound(cumulative.begin(), cumulative.end(), rng_.Unit() * total) -
            cumulative.begin()),
        candidates.size() - 1);
    const std::size_t pick = candidates[k];
    const std::string uid = state_.sites[pick]->uid;
    state_.sites.erase(state_.sites.begin() + static_cast<std::ptrdiff_t>(pick));
    RebuildSiteIndex(state_);
    const auto deleted_it = std::find_if(state_.sites.begin(), state_.sites.end(),
                                         [](const auto& s) { return s->IsDeletedDevicesSite(); });
    if (deleted_it == state_.sites.end()) {  // nowhere to move them: they go
      std::erase_if(state_.devices, [&](const auto& d) { return d->site_uid == uid; });
    } else {
      MoveToDeletedDevices(uid, (*deleted_it)->uid);
    }
    active_ -= SiteSize(uid);
    site_sizes_.erase(uid);
    std::erase_if(state_.alerts, [&](const auto& a) { return a->site_uid == uid; });
    devices_dirty_ = true;
    alerts_dirty_ = true;
    return true;
  }

  // The site's devices move to "Deleted Devices" (deleted and offline, as generated there);
  // earlier residents are purged at random while that site is above its target size.
  void MoveToDeletedDevices(const std::string& from_uid, const std::string& deleted_uid) {
    std::vector<std::size_t> residents;  // positions of earlier residents
    int moved = 0;
    for (std::size_t i = 0; i < state_.devices.size(); ++i) {
      const std::string& site_uid = state_.devices[i]->site_uid;
      if (site_uid == from_uid) {
        ReplaceDevice(i, [&](SimDevice& d) {
          d.site_uid = deleted_uid;
          d.online = false;
          d.deleted = true;
        });
        ++moved;
      } else if (site_uid == deleted_uid) {
        residents.push_back(i);
      }
    }
    int size = SiteSize(deleted_uid) + moved;
    std::unordered_set<std::string> purged;
    while (size > std::max(options_.deleted_devices, 0) && !residents.empty()) {
      const auto r = static_cast<std::size_t>(rng_.Below(residents.size()));
      purged.insert(state_.devices[residents[r]]->uid);
      residents[r] = residents.back();
      residents.pop_back();
      --size;
    }
    site_sizes_[deleted_uid] = size;
    if (purged.empty()) return;
    std::erase_if(state_.devices, [&](const auto& d) { return purged.contains(d->uid); });
    // A scenario may hold alerts on devices in "Deleted Devices"; they go with the device.
    std::erase_if(state_.alerts,
                  [&](const auto& a) { return a->device_uid && purged.contains(*a->device_uid); });
  }

  AccountState& state_;
  Rng& rng_;
  const std::int64_t now_ms_;
  const ChurnOptions& options_;
  bool devices_dirty_ = false;
  bool alerts_dirty_ = false;
  bool counted_ = false;
  std::unordered_map<std::string, int> site_sizes_;
  int active_ = 0;  // devices outside "Deleted Devices"
};

}  // namespace

ChurnOptions SteadyChurnOptions(const AccountState& initial, double online_ratio) {
  ChurnOptions o;
  o.online_ratio = online_ratio;
  o.active_devices = 0;
  o.deleted_devices = 0;
  for (const auto& d : initial.devices) {
    ++(InDeletedSite(initial, *d) ? o.deleted_devices : o.active_devices);
  }
  o.regular_sites = static_cast<int>(std::count_if(
      initial.sites.begin(), initial.sites.end(), [](const auto& s) { return IsRegularSite(*s); }));
  o.open_alerts = static_cast<int>(initial.alerts.size());
  return o;
}

void ApplyChurnEvents(AccountState& state, int events, Rng& rng, std::int64_t now_ms,
                      const ChurnOptions& options) {
  ChurnOptions resolved = options;
  if (options.active_devices < 0 || options.deleted_devices < 0 || options.regular_sites < 0 ||
      options.open_alerts < 0) {
    const ChurnOptions current = SteadyChurnOptions(state, options.online_ratio);
    if (resolved.active_devices < 0) resolved.active_devices = current.active_devices;
    if (resolved.deleted_devices < 0) resolved.deleted_devices = current.deleted_devices;
    if (resolved.regular_sites < 0) resolved.regular_sites = current.regular_sites;
    if (resolved.open_alerts < 0) resolved.open_alerts = current.open_alerts;
  }
  Churner(state, rng, now_ms, resolved).Apply(events);
}

}  // namespace drmm::sim
