#include "sim/labels.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/ground_truth.h"

namespace drmm::sim {
namespace {

TEST(SimSnakeCase, FollowsTheLabelRules) {
  EXPECT_EQ(SnakeCase("RunningAndUpToDate"), "running_and_up_to_date");
  EXPECT_EQ(SnakeCase("RunningAndNotUpToDate"), "running_and_not_up_to_date");
  EXPECT_EQ(SnakeCase("PartiallyPatched"), "partially_patched");
  EXPECT_EQ(SnakeCase("FullyPatched"), "fully_patched");
  EXPECT_EQ(SnakeCase("NoData"), "no_data");
  EXPECT_EQ(SnakeCase("Critical"), "critical");
  EXPECT_EQ(SnakeCase("Network Device"), "network_device");
  EXPECT_EQ(SnakeCase("on-demand"), "on_demand");
  EXPECT_EQ(SnakeCase("Win10Pro"), "win10_pro");   // after a digit
  EXPECT_EQ(SnakeCase("ABCStatus"), "abcstatus");  // uppercase runs are not split
  EXPECT_EQ(SnakeCase(""), "");
}

TEST(SimLabels, NullsMapToTheirFallbacks) {
  SimDevice d;
  EXPECT_EQ(CategoryLabel(d), "Unknown");
  EXPECT_EQ(PatchStatusLabel(d), "not_applicable");
  EXPECT_EQ(AntivirusStatusLabel(d), "not_applicable");
  d.device_type = DeviceTypeData{std::string(""), std::nullopt};
  EXPECT_EQ(CategoryLabel(d), "Unknown");
  d.device_type->category = "Network Device";
  EXPECT_EQ(CategoryLabel(d), "Network Device");
  d.patch_management = PatchManagementData{};
  EXPECT_EQ(PatchStatusLabel(d), "not_applicable");
  d.patch_management->patch_status = "InstallError";
  EXPECT_EQ(PatchStatusLabel(d), "install_error");
  d.antivirus = AntivirusData{};
  EXPECT_EQ(AntivirusStatusLabel(d), "not_applicable");
  d.antivirus->antivirus_status = "NotRunning";
  EXPECT_EQ(AntivirusStatusLabel(d), "not_running");

  SimAlert a;
  EXPECT_EQ(PriorityLabel(a), "unknown");
  EXPECT_EQ(AlertTypeLabel(a), "unknown");
  a.priority = "Information";
  a.context_class = "";
  EXPECT_EQ(PriorityLabel(a), "information");
  EXPECT_EQ(AlertTypeLabel(a), "unknown");
  a.context_class = "perf_disk_usage_ctx";
  EXPECT_EQ(AlertTypeLabel(a), "perf_disk_usage_ctx");
}

// A hand-built account whose figures are worked out by hand.
TEST(SimGroundTruth, ComputesEveryFigureOfASmallAccount) {
  AccountState state;
  auto site = [](std::string uid, std::string name, std::optional<bool> on_demand) {
    SimSite s;
    s.uid = std::move(uid);
    s.name = std::move(name);
    s.on_demand = on_demand;
    return std::make_shared<const SimSite>(std::move(s));
  };
  state.sites = {site("s2", "Beta", std::nullopt), site("s1", "Alpha", true),
                 site("s0", "Deleted Devices", false)};
  int next_uid = 0;
  auto device = [&](std::string site_uid, std::optional<std::string> category,
                    std::optional<bool> online) {
    SimDevice d;
    d.uid = "d" + std::to_string(++next_uid);
    d.site_uid = std::move(site_uid);
    if (category) d.device_type = DeviceTypeData{category, std::nullopt};
    d.online = online;
    return d;
  };
  SimDevice a = device("s1", "Desktop", true);
  a.patch_management = PatchManagementData{"PartiallyPatched", 2, 3, 100};
  a.antivirus = AntivirusData{"Defender", "RunningAndUpToDate"};
  a.reboot_required = true;
  SimDevice b = device("s1", "Desktop", false);
  b.patch_management = PatchManagementData{"FullyPatched", std::nullopt, 1, std::nullopt};
  SimDevice c = device("s1", std::nullopt, std::nullopt);  // offline (null), category Unknown
  SimDevice d = device("s2", "Server", true);
  d.reboot_required = false;
  for (auto* x : {&a, &b, &c, &d}) state.devices.push_back(std::make_shared<const SimDevice>(*x));

  auto alert = [](std::string site_uid, std::optional<std::string> priority,
                  std::optional<std::string> cls, std::optional<std::int64_t> ts,
                  std::optional<bool> muted = std::nullopt) {
    SimAlert x;
    x.muted = muted;
    x.alert_uid = "a" + std::to_string(ts.value_or(0));
    x.site_uid = std::move(site_uid);
    x.priority = std::move(priority);
    x.context_class = std::move(cls);
    x.timestamp = ts;
    return std::make_shared<const SimAlert>(std::move(x));
  };
  state.alerts = {alert("s1", "Critical", "perf_disk_usage_ctx", 1767225600500),
                  alert("s1", "Critical", "perf_disk_usage_ctx", 1767225000000),
                  alert("s1", "Critical", std::nullopt, std::nullopt, true),
                  alert("s2", std::nullopt, "ping_ctx", 1767225601000)};
  RebuildIndexes(state);

  const nlohmann::json gt = ComputeGroundTruth(state, 250, 100, 0);
  EXPECT_EQ(gt["page_size"], 250);
  EXPECT_EQ(gt["alerts_page_size"], 100);
  EXPECT_EQ(gt["totals"], nlohmann::json::parse(R"({"sites": 3, "devices": 4,
      "devices_online": 2, "devices_offline": 2, "open_alerts": 4})"));
  ASSERT_EQ(gt["sites"].size(), 3u);
  EXPECT_EQ(gt["sites"][0]["uid"], "s0");  // sorted by uid
  EXPECT_EQ(gt["sites"][0]["deleted_devices_site"], true);
  const nlohmann::json& s1 = gt["sites"][1];
  EXPECT_EQ(s1["name"], "Alpha");
  EXPECT_EQ(s1["on_demand"], true);
  EXPECT_EQ(s1["devices_total"], 3);
  EXPECT_EQ(s1["devices_online_by_category"], nlohmann::json({{"Desktop", 1}}));
  EXPECT_EQ(s1["devices_offline_by_category"], nlohmann::json({{"Desktop", 1}, {"Unknown", 1}}));
  EXPECT_EQ(s1["patch_status"], nlohmann::json::parse(R"({"fully_patched": 1,
      "approved_pending": 0, "install_error": 0, "reboot_required": 0, "no_policy": 0,
      "no_data": 0, "not_applicable": 1, "partially_patched": 1})"));
  EXPECT_EQ(s1["patches"], nlohmann::json::parse(
                               R"({"approved_pending": 2, "not_approved": 4, "installed": 100})"));
  EXPECT_EQ(s1["reboot_required"], 1);
  EXPECT_EQ(s1["antivirus_status"]["running_and_up_to_date"], 1);
  EXPECT_EQ(s1["antivirus_status"]["not_applicable"], 2);
  EXPECT_EQ(s1["portal_url"], "https://zinfandel.centrastage.net/csm/profile/site/0");
  EXPECT_EQ(s1["alerts_open"]["false"]["critical"], 2);
  EXPECT_EQ(s1["alerts_open"]["true"]["critical"], 1);  // the muted one
  EXPECT_EQ(s1["alerts_open"]["false"]["unknown"], 0);
  EXPECT_EQ(s1["alerts_open_by_type"], nlohmann::json::parse(R"({
      "false": {"critical": {"perf_disk_usage_ctx": 2}},
      "true": {"critical": {"unknown": 1}}})"));
  EXPECT_DOUBLE_EQ(s1["oldest_open_alert_timestamp_seconds"]["false"]["critical"].get<double>(),
                   1767225000.0);
  EXPECT_TRUE(s1["oldest_open_alert_timestamp_seconds"]["true"].empty());
  const nlohmann::json& s2 = gt["sites"][2];
  EXPECT_EQ(s2["on_demand"], false);  // null onDemand
  EXPECT_EQ(s2["alerts_open"]["false"]["unknown"], 1);
  EXPECT_EQ(s2["alerts_open_by_type"],
            nlohmann::json::parse(R"({"false": {"unknown": {"ping_ctx": 1}}, "true": {}})"));
  EXPECT_DOUBLE_EQ(s2["oldest_open_alert_timestamp_seconds"]["false"]["unknown"].get<double>(),
                   1767225601.0);
  EXPECT_EQ(s2["antivirus_status"].size(), 5u);
  EXPECT_EQ(s2["patch_status"].size(), 7u);
  EXPECT_EQ(s2["alerts_open"]["false"].size(), 6u);
  EXPECT_EQ(s2["alerts_open"]["true"].size(), 6u);
}

}  // namespace
}  // namespace drmm::sim
