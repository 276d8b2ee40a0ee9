#include "sim/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "generated_account.h"
#include "sim/ground_truth.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

using testing::kNow;
using testing::Options;

TEST(SimGenerator, SameSeedSameAccountOtherSeedOtherAccount) {
  const AccountState a = GenerateAccount(Options(30, 500, 50), kNow);
  const AccountState b = GenerateAccount(Options(30, 500, 50), kNow);
  const AccountState c = GenerateAccount(Options(30, 500, 50, 6), kNow);
  EXPECT_EQ(ComputeGroundTruth(a, 250, 250, 0), ComputeGroundTruth(b, 250, 250, 0));
  EXPECT_NE(ComputeGroundTruth(a, 250, 250, 0), ComputeGroundTruth(c, 250, 250, 0));
  ASSERT_EQ(a.devices.size(), b.devices.size());
  for (std::size_t i = 0; i < a.devices.size(); ++i) {
    EXPECT_EQ(a.devices[i]->uid, b.devices[i]->uid);
    EXPECT_EQ(a.devices[i]->hostname, b.devices[i]->hostname);
  }
}

TEST(SimGenerator, ShapeOfAnAccount) {
  const AccountState s = GenerateAccount(Options(200, 20'000, 2'000), kNow);
  EXPECT_EQ(s.sites.size(), 200u);
  EXPECT_EQ(s.devices.size(), 20'000u);
  EXPECT_EQ(s.alerts.size(), 2'000u);

  // One "Deleted Devices" site whose devices are deleted and offline; a few on-demand sites.
  const auto deleted = std::count_if(s.sites.begin(), s.sites.end(),
                                     [](const auto& x) { return x->IsDeletedDevicesSite(); });
  EXPECT_EQ(deleted, 1);
  const auto on_demand = std::count_if(s.sites.begin(), s.sites.end(),
                                       [](const auto& x) { return x->on_demand.value_or(false); });
  EXPECT_GE(on_demand, 2);
  EXPECT_LE(on_demand, 10);

  // A few big sites, many small ones.
  std::vector<std::size_t> sizes;
  for (const auto& site : s.sites) sizes.push_back(s.DevicesOfSite(site->uid).size());
  std::sort(sizes.rbegin(), sizes.rend());
  EXPECT_GT(sizes[0], 1000u);
  EXPECT_LT(sizes[sizes.size() / 2], 60u);

  std::map<std::string, int> classes, categories;
  int online = 0;
  for (const auto& d : s.devices) {
    ++classes[d->device_class.value_or("null")];
    ++categories[d->device_type->category.value_or("null")];
    if (d->online.value_or(false)) ++online;
    const SimSite* site = s.FindSite(d->site_uid);
    ASSERT_NE(site, nullptr);
    if (site->IsDeletedDevicesSite()) {
      EXPECT_EQ(d->deleted, true);
      EXPECT_EQ(d->online, false);
    }
    if (d->device_class == "printer" || d->device_class == "rmmnetworkdevice") {
      EXPECT_FALSE(d->patch_management) << d->uid;
      EXPECT_FALSE(d->antivirus) << d->uid;
      EXPECT_EQ(d->last_reboot, kNeverMillis);
    }
  }
  for (const char* cls : {"device", "printer", "esxihost", "rmmnetworkdevice"}) {
    EXPECT_GT(classes[cls], 0) << cls;
  }
  for (const char* category : {"Desktop", "Laptop", "Server", "Printer", "Network Device"}) {
    EXPECT_GT(categories[category], 0) << category;
  }
  EXPECT_NEAR(online / 20000.0, 0.8, 0.08);

  // Every fixed label appears somewhere in an account of this size.
  const nlohmann::json gt = ComputeGroundTruth(s, 250, 250, 0);
  std::map<std::string, std::int64_t> patch, av, priority, muted_states;
  std::set<std::string> types;
  for (const auto& site : gt["sites"]) {
    for (const auto& [k, v] : site["patch_status"].items()) patch[k] += v.get<std::int64_t>();
    for (const auto& [k, v] : site["antivirus_status"].items()) av[k] += v.get<std::int64_t>();
    for (const auto& [muted, by_priority] : site["alerts_open"].items()) {
      for (const auto& [k, v] : by_priority.items()) {
        priority[k] += v.get<std::int64_t>();
        muted_states[muted] += v.get<std::int64_t>();
      }
    }
    for (const auto& [muted, by_priority] : site["alerts_open_by_type"].items()) {
      for (const auto& [p, by_type] : by_priority.items()) {
        for (const auto& [t, n] : by_type.items()) types.insert(t);
      }
    }
  }
  for (const auto& [k, v] : patch) EXPECT_GT(v, 0) << k;
  for (const auto& [k, v] : av) EXPECT_GT(v, 0) << k;
  for (const auto& [k, v] : priority) EXPECT_GT(v, 0) << k;
  EXPECT_GT(muted_states["true"], 0) << "some alerts are muted";
  EXPECT_GT(muted_states["false"], muted_states["true"]);
  EXPECT_EQ(types,
            (std::set<std::string>{"antivirus_ctx", "comp_script_ctx", "eventlog_ctx",
                                   "online_offline_status_ctx", "patch_ctx", "perf_disk_usage_ctx",
                                   "perf_resource_usage_ctx", "ping_ctx", "srvc_status_ctx"}));
  // Alerts are served newest first.
  for (std::size_t i = 1; i < s.alerts.size(); ++i) {
    EXPECT_GE(*s.alerts[i - 1]->timestamp, *s.alerts[i]->timestamp);
  }
}

}  // namespace
}  // namespace drmm::sim
