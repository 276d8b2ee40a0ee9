#include "exporter/collect/devices_fold.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drmm {
namespace {

datto::Device MakeDevice(std::string uid, std::string site_uid, std::optional<std::string> category,
                         std::optional<bool> online) {
  datto::Device device;
  device.uid = std::move(uid);
  device.site_uid = std::move(site_uid);
  device.site_name = "Site " + device.site_uid;
  device.hostname = "host-" + device.uid;
  device.category = std::move(category);
  device.online = online;
  device.device_class = "device";
  return device;
}

datto::PatchManagement Patches(std::optional<std::string> status,
                               std::optional<std::int64_t> approved_pending,
                               std::optional<std::int64_t> not_approved,
                               std::optional<std::int64_t> installed) {
  datto::PatchManagement pm;
  pm.patch_status = std::move(status);
  pm.patches_approved_pending = approved_pending;
  pm.patches_not_approved = not_approved;
  pm.patches_installed = installed;
  return pm;
}

datto::Antivirus Av(std::optional<std::string> status) {
  datto::Antivirus av;
  av.antivirus_status = std::move(status);
  return av;
}

DeviceMetricsConfig PerDevice(bool enabled, std::vector<std::string> categories = {},
                              std::int64_t max_devices = 10'000) {
  DeviceMetricsConfig config;
  config.enabled = enabled;
  config.categories = std::move(categories);
  config.max_devices = max_devices;
  return config;
}

std::vector<datto::Device> LiteralPage() {
  std::vector<datto::Device> page;
  auto d1 = MakeDevice("d1", "s1", "Desktop", true);
  d1.patch_management = Patches("FullyPatched", 0, 2, 40);
  d1.antivirus = Av("RunningAndUpToDate");
  d1.reboot_required = false;
  page.push_back(d1);

  auto d2 = MakeDevice("d2", "s1", "Desktop", false);
  d2.patch_management = Patches("ApprovedPending", 3, std::nullopt, 10);  // null counts as 0
  d2.antivirus = Av("NotRunning");
  d2.reboot_required = true;
  page.push_back(d2);

  auto d3 = MakeDevice("d3", "s1", "Server", std::nullopt);    // null online: offline
  d3.patch_management = Patches("PartiallyPatched", 1, 1, 1);  // unknown value
  d3.antivirus = Av("Quarantined");                            // unknown value
  d3.reboot_required = std::nullopt;
  page.push_back(d3);

  auto d4 = MakeDevice("d4", "s2", std::nullopt, true);  // no category: "Unknown"
  d4.device_class = "rmmnetworkdevice";
  page.push_back(d4);  // patchManagement and antivirus null: not_applicable

  auto d5 = MakeDevice("d5", "s2", "", false);  // empty category: "Unknown"
  d5.patch_management = Patches(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
  d5.antivirus = Av(std::nullopt);
  d5.device_class = "toaster";  // unknown deviceClass
  page.push_back(d5);
  return page;
}

TEST(DevicesFoldTest, CountsPerSiteFromLiteralDevices) {
  DevicesFold fold(PerDevice(false));
  fold.Add(LiteralPage());
  const DevicesData data = std::move(fold).Finish();

  EXPECT_EQ(data.device_count, 5);
  EXPECT_TRUE(data.devices.empty());  // per-device rows off
  ASSERT_EQ(data.sites.size(), 2U);

  const SiteDevices& s1 = data.sites.at("s1");
  EXPECT_EQ(s1.site_name, "Site s1");
  EXPECT_EQ(s1.online_by_category, (std::map<std::string, std::int64_t>{{"Desktop", 1}}));
  EXPECT_EQ(s1.offline_by_category,
            (std::map<std::string, std::int64_t>{{"Desktop", 1}, {"Server", 1}}));
  EXPECT_EQ(s1.by_patch_status,
            (std::map<std::string, std::int64_t>{
                {"approved_pending", 1}, {"fully_patched", 1}, {"partially_patched", 1}}));
  EXPECT_EQ(s1.patches_approved_pending, 4);
  EXPECT_EQ(s1.patches_not_approved, 3);
  EXPECT_EQ(s1.patches_installed, 51);
  EXPECT_EQ(s1.reboot_required, 1);
  EXPECT_EQ(s1.by_antivirus_status,
            (std::map<std::string, std::int64_t>{
                {"not_running", 1}, {"quarantined", 1}, {"running_and_up_to_date", 1}}));

  const SiteDevices& s2 = data.sites.at("s2");
  EXPECT_EQ(s2.online_by_category, (std::map<std::string, std::int64_t>{{"Unknown", 1}}));
  EXPECT_EQ(s2.offline_by_category, (std::map<std::string, std::int64_t>{{"Unknown", 1}}));
  EXPECT_EQ(s2.by_patch_status, (std::map<std::string, std::int64_t>{{"not_applicable", 2}}));
  EXPECT_EQ(s2.by_antivirus_status, (std::map<std::string, std::int64_t>{{"not_applicable", 2}}));
  EXPECT_EQ(s2.patches_approved_pending + s2.patches_not_approved + s2.patches_installed, 0);
  EXPECT_EQ(s2.reboot_required, 0);
}

// Repeats across pages are the walk's to drop (DattoClient); the fold only leaves out what it
// cannot label.
TEST(DevicesFoldTest, SkipsItemsWithoutUids) {
  DevicesFold fold(PerDevice(true));
  fold.Add({MakeDevice("", "s1", "Desktop", true), MakeDevice("d1", "", "Desktop", true),
            MakeDevice("d1", "s1", "Desktop", true)});
  fold.Add({MakeDevice("d2", "s1", "Desktop", false)});
  const DevicesData data = std::move(fold).Finish();
  EXPECT_EQ(data.device_count, 2);
  EXPECT_EQ(data.sites.at("s1").online_by_category.at("Desktop"), 1);
  EXPECT_EQ(data.sites.at("s1").offline_by_category.at("Desktop"), 1);
  ASSERT_EQ(data.devices.size(), 2U);
  EXPECT_FALSE(data.sites.contains(""));
}

TEST(DevicesFoldTest, KeepsRowsWhenEnabled) {
  DevicesFold fold(PerDevice(true));
  auto page = LiteralPage();
  page[0].operating_system = "Windows 11 Pro";
  page[0].last_seen = WallTime(std::chrono::milliseconds(1'767'225'600'500));
  fold.Add(std::move(page));
  const DevicesData data = std::move(fold).Finish();
  ASSERT_EQ(data.devices.size(), 5U);
  const DeviceRow& d1 = data.devices[0];
  EXPECT_EQ(d1.uid, "d1");
  EXPECT_EQ(d1.hostname, "host-d1");
  EXPECT_EQ(d1.site_uid, "s1");
  EXPECT_EQ(d1.site_name, "Site s1");
  EXPECT_EQ(d1.category, "Desktop");
  EXPECT_EQ(d1.device_class, "device");
  EXPECT_EQ(d1.os, "Windows 11 Pro");
  EXPECT_TRUE(d1.online);
  ASSERT_TRUE(d1.last_seen_unix.has_value());
  EXPECT_DOUBLE_EQ(*d1.last_seen_unix, 1767225600.5);
  EXPECT_EQ(d1.patches_approved_pending, 0);
  EXPECT_FALSE(d1.reboot_required);

  const DeviceRow& d2 = data.devices[1];
  EXPECT_FALSE(d2.online);
  EXPECT_EQ(d2.patches_approved_pending, 3);
  EXPECT_TRUE(d2.reboot_required);
  EXPECT_FALSE(d2.last_seen_unix.has_value());  // never seen
  EXPECT_EQ(d2.os, "");

  EXPECT_EQ(data.devices[3].category, "Unknown");
  EXPECT_EQ(data.devices[3].device_class, "rmmnetworkdevice");
  EXPECT_EQ(data.device_rows_dropped, 0);
}

TEST(DevicesFoldTest, KeepsOnlyTheListedCategoriesIgnoringCase) {
  DevicesFold fold(PerDevice(true, {"server", "Unknown"}));
  fold.Add(LiteralPage());
  const DevicesData data = std::move(fold).Finish();
  std::vector<std::string> uids;
  for (const auto& row : data.devices) uids.push_back(row.uid);
  EXPECT_EQ(uids, (std::vector<std::string>{"d3", "d4", "d5"}));
  EXPECT_EQ(data.device_rows_dropped, 0);  // not selected is not dropped
  EXPECT_EQ(data.device_count, 5);         // counts still cover every device
}

TEST(DevicesFoldTest, CapKeepsTheSmallestUidsWhateverTheOrder) {
  // The same devices in two orders give the same rows.
  for (const bool reversed : {false, true}) {
    DevicesFold fold(PerDevice(true, {}, 3));
    std::vector<datto::Device> page;
    for (int i = 0; i < 8; ++i) {
      const int n = reversed ? 7 - i : i;
      page.push_back(MakeDevice("d" + std::to_string(n), "s1", "Desktop", true));
    }
    fold.Add(std::move(page));
    const DevicesData data = std::move(fold).Finish();
    std::vector<std::string> uids;
    for (const auto& row : data.devices) uids.push_back(row.uid);
    EXPECT_EQ(uids, (std::vector<std::string>{"d0", "d1", "d2"})) << reversed;
    EXPECT_EQ(data.device_rows_dropped, 5) << reversed;
    EXPECT_EQ(data.sites.at("s1").online_by_category.at("Desktop"), 8) << reversed;
  }
}

TEST(DevicesFoldTest, ZeroCapKeepsNoRows) {
  DevicesFold fold(PerDevice(true, {}, 0));
  fold.Add(LiteralPage());
  const DevicesData data = std::move(fold).Finish();
  EXPECT_TRUE(data.devices.empty());
  EXPECT_EQ(data.device_rows_dropped, 5);
}

TEST(DevicesFoldTest, FoldsOneHundredThousandDevicesPageByPage) {
  constexpr int kDevices = 100'000;
  constexpr int kPageSize = 250;
  constexpr int kSites = 500;
  DevicesFold fold(PerDevice(true, {"Server"}, 1000));
  const auto started = std::chrono::steady_clock::now();
  for (int first = 0; first < kDevices; first += kPageSize) {
    std::vector<datto::Device> page;
    page.reserve(kPageSize);
    for (int i = first; i < first + kPageSize; ++i) {
      auto device = MakeDevice("dev-" + std::to_string(i), "site-" + std::to_string(i % kSites),
                               i % 10 == 0 ? "Server" : "Desktop", i % 3 != 0);
      device.patch_management = Patches(i % 7 == 0 ? "InstallError" : "FullyPatched", 1, 0, 5);
      device.antivirus = Av("RunningAndUpToDate");
      page.push_back(std::move(device));
    }
    fold.Add(std::move(page));  // the page is consumed; nothing of it is kept
  }
  const DevicesData data = std::move(fold).Finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("[ MEASURE  ] folded %d devices (%d pages) in %.3f s; peak RSS of the test %ld KiB\n",
              kDevices, kDevices / kPageSize, seconds, usage.ru_maxrss);

  EXPECT_EQ(data.device_count, kDevices);
  EXPECT_EQ(data.sites.size(), static_cast<std::size_t>(kSites));
  EXPECT_EQ(data.devices.size(), 1000U);                      // the cap
  EXPECT_EQ(data.device_rows_dropped, kDevices / 10 - 1000);  // Servers beyond the cap
  std::int64_t online = 0;
  std::int64_t install_errors = 0;
  std::int64_t approved_pending = 0;
  for (const auto& [uid, site] : data.sites) {
    for (const auto& [category, count] : site.online_by_category) online += count;
    install_errors += site.by_patch_status.contains("install_error")
                          ? site.by_patch_status.at("install_error")
                          : 0;
    approved_pending += site.patches_approved_pending;
  }
  EXPECT_EQ(online, kDevices - (kDevices + 2) / 3);
  EXPECT_EQ(install_errors, (kDevices + 6) / 7);
  EXPECT_EQ(approved_pending, kDevices);
  for (std::size_t i = 1; i < data.devices.size(); ++i) {
    ASSERT_LT(data.devices[i - 1].uid, data.devices[i].uid);
  }
}

}  // namespace
}  // namespace drmm
