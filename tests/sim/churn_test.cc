#include "sim/churn.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "generated_account.h"
#include "sim/generator.h"
#include "sim/ground_truth.h"

namespace drmm::sim {
namespace {

using testing::kNow;
using testing::Options;

constexpr std::int64_t kMinuteMs = 60'000;

const SimSite& DeletedDevicesSite(const AccountState& s) {
  const auto it = std::find_if(s.sites.begin(), s.sites.end(),
                               [](const auto& site) { return site->IsDeletedDevicesSite(); });
  EXPECT_NE(it, s.sites.end());
  return **it;
}

int Online(const AccountState& s) {
  return static_cast<int>(std::count_if(s.devices.begin(), s.devices.end(),
                                        [](const auto& d) { return d->online.value_or(false); }));
}

// The devices the generator would have online on average: each device outside "Deleted
// Devices" with its kind's probability.
double ExpectedOnline(const AccountState& s, double online_ratio) {
  double expected = 0;
  for (const auto& d : s.devices) {
    if (!s.FindSite(d->site_uid)->IsDeletedDevicesSite()) {
      expected += OnlineProbability(KindOf(*d), online_ratio);
    }
  }
  return expected;
}

int RegularSites(const AccountState& s) {
  return static_cast<int>(std::count_if(s.sites.begin(), s.sites.end(), [](const auto& site) {
    return !site->IsDeletedDevicesSite() && !site->on_demand.value_or(false);
  }));
}

void ExpectConsistent(const AccountState& s) {
  EXPECT_EQ(std::count_if(s.sites.begin(), s.sites.end(),
                          [](const auto& site) { return site->IsDeletedDevicesSite(); }),
            1);
  std::size_t indexed = 0;
  for (const auto& site : s.sites) indexed += s.DevicesOfSite(site->uid).size();
  EXPECT_EQ(indexed, s.devices.size());
  for (const auto& d : s.devices) ASSERT_NE(s.FindSite(d->site_uid), nullptr);
  for (const auto& a : s.alerts) ASSERT_NE(s.FindSite(*a->site_uid), nullptr);
}

TEST(SimChurn, SameSeedSameChangesAndTheAccountMoves) {
  const AccountState base = GenerateAccount(Options(40, 800, 80), kNow);
  AccountState a = base, b = base;
  Rng ra(99), rb(99);
  ApplyChurnEvents(a, 400, ra, kNow + 60'000, {});
  ApplyChurnEvents(b, 400, rb, kNow + 60'000, {});
  const nlohmann::json before = ComputeGroundTruth(base, 250, 250, 0);
  const nlohmann::json after = ComputeGroundTruth(a, 250, 250, 0);
  EXPECT_EQ(after, ComputeGroundTruth(b, 250, 250, 0));
  EXPECT_NE(after, before);
  EXPECT_NE(after["totals"]["devices_online"], before["totals"]["devices_online"]);
  // Sites come and go; "Deleted Devices" stays.
  std::set<std::string> base_sites, churned_sites;
  for (const auto& s : base.sites) base_sites.insert(s->uid);
  for (const auto& s : a.sites) churned_sites.insert(s->uid);
  EXPECT_NE(base_sites, churned_sites);
  ExpectConsistent(a);
  // The original state is untouched (items are replaced, not modified).
  EXPECT_EQ(ComputeGroundTruth(base, 250, 250, 0), before);
}

// Thousands of events (at the default 30 per minute, 16 hours of churn) in the batches the
// simulator applies: the account keeps its device total, online share, open alerts and number
// of sites, while everything in it moves.
TEST(SimChurn, AccountStaysAtItsTargetsThroughLongChurn) {
  constexpr double kOnlineRatio = 0.85;
  GeneratorOptions generator = Options(60, 3000, 300);
  generator.online_ratio = kOnlineRatio;
  const AccountState base = GenerateAccount(generator, kNow);
  const ChurnOptions options = SteadyChurnOptions(base, kOnlineRatio);
  EXPECT_EQ(options.active_devices + options.deleted_devices, 3000);
  EXPECT_EQ(options.deleted_devices, 30);  // 1%
  EXPECT_EQ(options.open_alerts, 300);
  EXPECT_EQ(options.regular_sites, RegularSites(base));

  std::string biggest_site;
  std::size_t biggest = 0;
  for (const auto& site : base.sites) {
    if (base.DevicesOfSite(site->uid).size() > biggest) {
      biggest = base.DevicesOfSite(site->uid).size();
      biggest_site = site->uid;
    }
  }

  // Tolerances: devices 2% of the total (removal prefers small sites, and a new site brings
  // what the account lacks); online 2% of the devices around the generator's expectation; open
  // alerts and regular sites 20% and 30% (each step is pulled back to the target: their spread
  // is about the square root of half the target, 12 alerts and 5.4 sites); "Deleted Devices"
  // at most twice its 30 (it holds the last removed site's devices until the next removal).
  AccountState s = base;
  Rng rng(11);
  for (int batch = 1; batch <= 30; ++batch) {
    ApplyChurnEvents(s, 1000, rng, kNow + batch * kMinuteMs, options);
    const auto devices = static_cast<double>(s.devices.size());
    EXPECT_NEAR(devices, 3000, 60) << "batch " << batch;
    EXPECT_NEAR(Online(s), ExpectedOnline(s, kOnlineRatio), 0.02 * devices) << "batch " << batch;
    EXPECT_NEAR(static_cast<double>(s.alerts.size()), 300, 60) << "batch " << batch;
    EXPECT_NEAR(RegularSites(s), options.regular_sites, 0.3 * options.regular_sites)
        << "batch " << batch;
    EXPECT_LE(s.DevicesOfSite(DeletedDevicesSite(s).uid).size(), 60U) << "batch " << batch;
  }
  ExpectConsistent(s);
  // The share online is still where --online-ratio put it (the generator's ~0.80 for 0.85).
  EXPECT_NEAR(Online(s) / static_cast<double>(s.devices.size()),
              Online(base) / static_cast<double>(base.devices.size()), 0.02);
  EXPECT_NE(s.FindSite(biggest_site), nullptr) << "removal prefers small sites";

  // ... and yet it changed: sites and devices were replaced, alerts turned over.
  std::set<std::string> base_sites;
  std::set<std::string> base_devices;
  std::set<std::string> base_alerts;
  for (const auto& site : base.sites) base_sites.insert(site->uid);
  for (const auto& d : base.devices) base_devices.insert(d->uid);
  for (const auto& a : base.alerts) base_alerts.insert(a->alert_uid);
  const auto new_sites = std::count_if(s.sites.begin(), s.sites.end(),
                                       [&](const auto& x) { return !base_sites.contains(x->uid); });
  const auto new_devices = std::count_if(s.devices.begin(), s.devices.end(), [&](const auto& x) {
    return !base_devices.contains(x->uid);
  });
  const auto old_alerts = std::count_if(s.alerts.begin(), s.alerts.end(), [&](const auto& x) {
    return base_alerts.contains(x->alert_uid);
  });
  EXPECT_GT(new_sites, 20);
  EXPECT_GT(new_devices, 100);
  EXPECT_LT(old_alerts, 30);
  EXPECT_LT(std::count_if(base_sites.begin(), base_sites.end(),
                          [&](const auto& uid) { return s.FindSite(uid) != nullptr; }),
            static_cast<long>(base_sites.size()) - 20);
}

// Targets other than the account's own are approached from wherever the account is.
TEST(SimChurn, PullsBackTowardsTheTargets) {
  const AccountState base = GenerateAccount(Options(30, 1000, 40), kNow);
  ChurnOptions options = SteadyChurnOptions(base, 0.85);
  options.online_ratio = 0.4;
  options.open_alerts = 200;
  AccountState s = base;
  Rng rng(3);
  ApplyChurnEvents(s, 15'000, rng, kNow + kMinuteMs, options);
  EXPECT_NEAR(Online(s), ExpectedOnline(s, 0.4), 0.03 * static_cast<double>(s.devices.size()));
  EXPECT_LT(Online(s), Online(base) * 2 / 3);
  EXPECT_NEAR(static_cast<double>(s.alerts.size()), 200, 40);
  EXPECT_NEAR(static_cast<double>(s.devices.size()), 1000, 30);
}

// A removed site's devices move to "Deleted Devices", deleted and offline, as Datto does; that
// site keeps its size by dropping earlier residents.
TEST(SimChurn, RemovedSitesDevicesMoveToDeletedDevices) {
  const AccountState base = GenerateAccount(Options(30, 1000, 40), kNow);
  const ChurnOptions options = SteadyChurnOptions(base, 0.85);
  AccountState s = base;
  Rng rng(8);
  for (int event = 0; event < 5000; ++event) {
    const AccountState before = s;
    ApplyChurnEvents(s, 1, rng, kNow + kMinuteMs, options);
    std::string gone;
    for (const auto& site : before.sites) {
      if (s.FindSite(site->uid) == nullptr) gone = site->uid;
    }
    if (gone.empty()) continue;
    const Positions& moved = before.DevicesOfSite(gone);
    ASSERT_FALSE(moved.empty());
    const std::string deleted_uid = DeletedDevicesSite(s).uid;
    for (const std::size_t i : moved) {
      const SimDevice* d = s.FindDevice(before.devices[i]->uid);
      ASSERT_NE(d, nullptr) << "a removed site's device vanished";
      EXPECT_EQ(d->site_uid, deleted_uid);
      EXPECT_EQ(d->deleted, true);
      EXPECT_EQ(d->online, false);
    }
    EXPECT_TRUE(s.AlertsOfSite(gone).empty());
    EXPECT_EQ(
        s.DevicesOfSite(deleted_uid).size(),
        std::max<std::size_t>(static_cast<std::size_t>(options.deleted_devices), moved.size()));
    ExpectConsistent(s);
    return;
  }
  FAIL() << "no site was removed in 5,000 events";
}

}  // namespace
}  // namespace drmm::sim
