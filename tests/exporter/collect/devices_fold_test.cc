#include "exporter/collect/devices_fold.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drmm {
namespace {

// Stale and warranty counts are relative to this, never to today's date.
const WallTime kNow = WallTime(std::chrono::milliseconds(1'767'225'600'000));  // 2026-01-01

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
  DevicesFold fold(PerDevice(false), kNow);
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
  DevicesFold fold(PerDevice(true), kNow);
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
  DevicesFold fold(PerDevice(true), kNow);
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
  DevicesFold fold(PerDevice(true, {"server", "Unknown"}), kNow);
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
    DevicesFold fold(PerDevice(true, {}, 3), kNow);
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
  DevicesFold fold(PerDevice(true, {}, 0), kNow);
  fold.Add(LiteralPage());
  const DevicesData data = std::move(fold).Finish();
  EXPECT_TRUE(data.devices.empty());
  EXPECT_EQ(data.device_rows_dropped, 5);
}

TEST(DevicesFoldTest, FoldsOneHundredThousandDevicesPageByPage) {
  constexpr int kDevices = 100'000;
  constexpr int kPageSize = 250;
  constexpr int kSites = 500;
  DevicesFold fold(PerDevice(true, {"Server"}, 1000), kNow);
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

using std::chrono::days;
using std::chrono::hours;
using std::chrono::milliseconds;

TEST(DevicesFoldTest, CountsStaleAgentsPerAgeFromTheInjectedNow) {
  DeviceMetricsConfig config = PerDevice(false);
  config.stale_after = {milliseconds(days(1)), milliseconds(days(7)), milliseconds(days(30))};
  DevicesFold fold(config, kNow);
  std::vector<datto::Device> page;
  auto seen = [&](std::string uid, std::optional<WallTime> last_seen) {
    auto device = MakeDevice(std::move(uid), "s1", "Desktop", false);
    device.last_seen = last_seen;
    page.push_back(std::move(device));
  };
  seen("recent", kNow - hours(2));
  seen("exactly-1d", kNow - days(1));  // not longer than 1d
  seen("2d", kNow - days(2));
  seen("8d", kNow - days(8));
  seen("31d", kNow - days(31));
  seen("never", std::nullopt);      // null or the -62135596800000 sentinel
  seen("future", kNow + hours(1));  // a clock ahead of ours is not stale
  fold.Add(std::move(page));
  const DevicesData data = std::move(fold).Finish();
  EXPECT_EQ(data.stale_after, (std::vector<std::string>{"1d", "7d", "30d"}));
  EXPECT_EQ(data.sites.at("s1").not_seen, (std::vector<std::int64_t>{4, 3, 2}));
}

TEST(DevicesFoldTest, SortsWarrantyIntoExpiredExpiringActiveUnknown) {
  DeviceMetricsConfig config = PerDevice(false);
  config.warranty_horizon = milliseconds(days(30));
  DevicesFold fold(config, kNow);
  std::vector<datto::Device> page;
  auto warranty = [&](std::string uid, std::optional<WallTime> date) {
    auto device = MakeDevice(std::move(uid), "s1", "Laptop", true);
    device.warranty_date = date;
    page.push_back(std::move(device));
  };
  warranty("passed", kNow - days(400));
  warranty("ends-now", kNow);  // at now: passed
  warranty("soon", kNow + days(3));
  warranty("at-horizon", kNow + days(30));  // within the horizon
  warranty("later", kNow + days(30) + hours(1));
  warranty("none", std::nullopt);
  warranty("none-2", std::nullopt);
  fold.Add(std::move(page));
  const SiteDevices site = std::move(fold).Finish().sites.at("s1");
  // kWarrantyStates order: expired, expiring, active, unknown.
  EXPECT_EQ(site.by_warranty, (std::array<std::int64_t, 4>{2, 2, 1, 2}));
}

TEST(DevicesFoldTest, CountsSuspendedAndDeletedApartDeletedFirst) {
  DevicesFold fold(PerDevice(false), kNow);
  std::vector<datto::Device> page;
  auto state = [&](std::string uid, std::optional<bool> suspended, std::optional<bool> deleted) {
    auto device = MakeDevice(std::move(uid), "s1", "Desktop", false);
    device.suspended = suspended;
    device.deleted = deleted;
    page.push_back(std::move(device));
  };
  state("a", false, false);
  state("b", std::nullopt, std::nullopt);  // null: active
  state("c", true, false);
  state("d", true, true);  // deleted wins
  state("e", false, true);
  state("f", true, std::nullopt);
  fold.Add(std::move(page));
  const SiteDevices site = std::move(fold).Finish().sites.at("s1");
  // kDeviceStates order: active, suspended, deleted.
  EXPECT_EQ(site.by_state, (std::array<std::int64_t, 3>{2, 2, 2}));
}

DeviceMetricsConfig WithUdfs(bool rows, std::int64_t max_values) {
  DeviceMetricsConfig config = PerDevice(rows);
  config.udf_labels = {{7, "contract", true}, {5, "owner", false}};  // sorted by label
  config.max_udf_values = max_values;
  return config;
}

datto::Device WithUdf(datto::Device device, std::vector<std::pair<int, std::string>> udfs) {
  device.udfs = std::move(udfs);
  return device;
}

TEST(DevicesFoldTest, ReadsConfiguredUdfsIntoRowsAndSiteCounts) {
  DevicesFold fold(WithUdfs(true, 50), kNow);
  std::vector<datto::Device> page;
  page.push_back(WithUdf(MakeDevice("d1", "s1", "Server", true), {{5, "alice"}, {7, "Gold"}}));
  page.push_back(WithUdf(MakeDevice("d2", "s1", "Server", true), {{7, "  Gold \t"}}));
  page.push_back(WithUdf(MakeDevice("d3", "s1", "Server", true), {{1, "not asked"}}));
  page.push_back(WithUdf(MakeDevice("d4", "s2", "Server", true), {{7, "Silver"}}));
  fold.Add(std::move(page));
  const DevicesData data = std::move(fold).Finish();
  EXPECT_EQ(data.udf_labels, (std::vector<std::string>{"contract", "owner"}));
  ASSERT_EQ(data.devices.size(), 4U);
  EXPECT_EQ(data.devices[0].udf_values, (std::vector<std::string>{"Gold", "alice"}));
  EXPECT_EQ(data.devices[1].udf_values, (std::vector<std::string>{"Gold", ""}));  // trimmed
  EXPECT_EQ(data.devices[2].udf_values, (std::vector<std::string>{"", ""}));
  using Key = std::pair<std::string, std::string>;
  // owner has no site counts; unset counts under "".
  EXPECT_EQ(data.sites.at("s1").by_udf_value,
            (std::map<Key, std::int64_t>{{{"contract", ""}, 1}, {{"contract", "Gold"}, 2}}));
  EXPECT_EQ(data.sites.at("s2").by_udf_value,
            (std::map<Key, std::int64_t>{{{"contract", "Silver"}, 1}}));
  EXPECT_EQ(data.udf_devices_dropped, (std::map<std::string, std::int64_t>{{"contract", 0}}));
}

TEST(DevicesFoldTest, UdfValueCapKeepsTheSmallestValuesAccountWideAndReportsTheRest) {
  DevicesFold fold(WithUdfs(false, 2), kNow);
  std::vector<datto::Device> page;
  int i = 0;
  for (const char* value : {"Gold", "Bronze", "Silver", "Silver", "Platinum", "Bronze"}) {
    const std::string site = i % 2 == 0 ? "s1" : "s2";
    page.push_back(
        WithUdf(MakeDevice("d" + std::to_string(i++), site, "Desktop", true), {{7, value}}));
  }
  page.push_back(MakeDevice("unset", "s1", "Desktop", true));  // "" is always kept
  fold.Add(std::move(page));
  const DevicesData data = std::move(fold).Finish();
  using Key = std::pair<std::string, std::string>;
  // Bronze and Gold are the two smallest; Platinum and Silver (3 devices) are cut.
  EXPECT_EQ(data.sites.at("s1").by_udf_value,
            (std::map<Key, std::int64_t>{{{"contract", ""}, 1}, {{"contract", "Gold"}, 1}}));
  EXPECT_EQ(data.sites.at("s2").by_udf_value,
            (std::map<Key, std::int64_t>{{{"contract", "Bronze"}, 2}}));
  EXPECT_EQ(data.udf_devices_dropped.at("contract"), 3);
}

TEST(DevicesFoldTest, AsksTheDecoderForWarrantyAutotaskAndOnlyTheConfiguredUdfs) {
  const datto::DecodeOptions options = DecodeOptionsFor(WithUdfs(false, 50));
  EXPECT_TRUE(options.device_warranty);
  EXPECT_TRUE(options.site_autotask);
  EXPECT_EQ(options.device_udfs.count(), 2U);
  EXPECT_TRUE(options.device_udfs.test(5));
  EXPECT_TRUE(options.device_udfs.test(7));
  EXPECT_TRUE(DecodeOptionsFor(PerDevice(true)).device_udfs.none());
}

}  // namespace
}  // namespace drmm
