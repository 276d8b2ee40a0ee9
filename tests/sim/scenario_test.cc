#include "sim/scenario.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/ground_truth.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

ScenarioDefaults Defaults() {
  ScenarioDefaults d;
  d.seed = 3;
  d.now_ms = 1767225600000;
  return d;
}

std::string ErrorOf(const char* json) {
  const auto scenario = ParseScenario(nlohmann::json::parse(json), Defaults());
  if (!scenario.ok()) return scenario.error().message;
  return "(no error)";
}

TEST(SimScenario, GivenPropertiesAreKeptAndTheRestIsFilledIn) {
  const auto parsed = ParseScenario(nlohmann::json::parse(R"({
    "seed": 11,
    "account": {"uid": "acct0001", "name": "Test MSP"},
    "sites": [{"uid": "site-a", "name": "Alpha", "onDemand": true}, {"uid": "site-b", "name": "Beta"}],
    "devices": [
      {"uid": "dev-1", "siteUid": "site-a", "online": true,
       "deviceType": {"category": "Desktop", "type": "Desktop"},
       "patchManagement": {"patchStatus": "PartiallyPatched", "patchesApprovedPending": 4},
       "antivirus": null, "lastSeen": "2025-12-31T23:00:00Z", "udf": {"udf7": "x"}},
      {"uid": "dev-2", "siteUid": "site-b", "online": null, "deviceClass": "printer",
       "deviceType": {"category": "Printer", "type": "Printer"}}
    ],
    "alerts": [
      {"alertUid": "al-1", "priority": "High", "timestamp": 1767225000000,
       "alertContext": {"@class": "perf_disk_usage_ctx", "diskName": "E:"},
       "alertSourceInfo": {"deviceUid": "dev-1"}},
      {"alertUid": "al-2", "priority": null, "timestamp": null, "alertContext": null,
       "alertSourceInfo": {"siteUid": "site-b"}}
    ]
  })"),
                                    Defaults());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Scenario& sc = parsed.value();
  const AccountState& s = sc.state;
  EXPECT_EQ(sc.seed, 11u);
  EXPECT_EQ(s.account.uid, "acct0001");
  ASSERT_EQ(s.sites.size(), 3u);  // "Deleted Devices" is added
  EXPECT_NE(s.FindSite("site-a"), nullptr);
  const SimDevice* d1 = s.FindDevice("dev-1");
  ASSERT_NE(d1, nullptr);
  EXPECT_EQ(d1->patch_management->patch_status, "PartiallyPatched");
  EXPECT_EQ(d1->patch_management->patches_approved_pending, 4);
  EXPECT_TRUE(d1->patch_management->patches_installed.has_value());  // filled in
  EXPECT_FALSE(d1->antivirus);
  EXPECT_EQ(d1->last_seen, 1767222000000);
  ASSERT_EQ(d1->udf.size(), 1u);
  EXPECT_EQ(d1->udf[0], (std::pair<int, std::string>{7, "x"}));
  EXPECT_TRUE(d1->hostname.has_value());
  const SimDevice* d2 = s.FindDevice("dev-2");
  ASSERT_NE(d2, nullptr);
  EXPECT_FALSE(d2->online.has_value());
  EXPECT_FALSE(d2->patch_management);  // a printer's default

  ASSERT_EQ(s.alerts.size(), 2u);
  EXPECT_EQ(s.alerts[0]->alert_uid, "al-1");  // timestamps first, newest first
  const nlohmann::json ctx = nlohmann::json::parse(s.alerts[0]->context_json);
  EXPECT_EQ(ctx["diskName"], "E:");
  EXPECT_TRUE(ctx.contains("freeSpace"));  // the rest of the class's properties
  EXPECT_EQ(s.alerts[0]->site_uid, "site-a");
  EXPECT_FALSE(s.alerts[1]->device_uid);

  const nlohmann::json gt = ComputeGroundTruth(s, 250, 250, 0);
  const nlohmann::json* alpha = nullptr;
  const nlohmann::json* beta = nullptr;
  for (const auto& site : gt["sites"]) {
    if (site["uid"] == "site-a") alpha = &site;
    if (site["uid"] == "site-b") beta = &site;
  }
  ASSERT_TRUE(alpha && beta);
  EXPECT_EQ((*alpha)["on_demand"], true);
  EXPECT_EQ((*alpha)["patch_status"]["partially_patched"], 1);
  EXPECT_EQ((*alpha)["antivirus_status"]["not_applicable"], 1);
  EXPECT_EQ((*alpha)["alerts_open_by_type"]["false"]["high"]["perf_disk_usage_ctx"], 1);
  EXPECT_EQ((*beta)["devices_offline_by_category"]["Printer"], 1);
  EXPECT_EQ((*beta)["alerts_open"]["false"]["unknown"], 1);
  EXPECT_EQ((*beta)["alerts_open_by_type"]["false"]["unknown"]["unknown"], 1);
  EXPECT_TRUE((*beta)["oldest_open_alert_timestamp_seconds"]["false"].empty());
}

TEST(SimScenario, ErrorsNameTheElement) {
  EXPECT_EQ(ErrorOf(R"({"sites": [{"uid": "a"}]})"), "sites[0].name: required, a non-empty string");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"name": "A", "devicesStatus": {}}]})"),
            "sites[0].devicesStatus: unknown property (or one the simulator computes)");
  EXPECT_EQ(ErrorOf(R"({"devices": [{"siteUid": "nope"}]})"),
            "devices[0].siteUid: no site has uid \"nope\"");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"uid": "a", "name": "A"}],
                        "devices": [{"siteUid": "a", "online": "yes"}]})"),
            "devices[0].online: expected a boolean or null");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"name": "A", "description": 7}]})"),
            "sites[0].description: expected a string or null");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"name": "A", "id": "12"}]})"),
            "sites[0].id: expected an integer or null");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"uid": "a", "name": "A"}],
                        "devices": [{"siteUid": "a", "udf": {"udf301": "x"}}]})"),
            "devices[0].udf.udf301: unknown property (udf1 .. udf300)");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"uid": "a", "name": "A"}, {"uid": "a", "name": "B"}]})"),
            "sites[1].uid: duplicate uid");
  EXPECT_EQ(ErrorOf(R"({"alerts": [{"priority": "High"}]})"),
            "alerts[0].alertSourceInfo: required, an object with deviceUid or siteUid");
  EXPECT_EQ(ErrorOf(R"({"colour": 1})"),
            "scenario.colour: unknown property (or one the simulator computes)");
}

// Reading goes on after an error (as no-ops): what fails later, because of it or not, must not
// replace it.
TEST(SimScenario, TheFirstErrorIsTheOneReported) {
  EXPECT_EQ(ErrorOf(R"({"sites": [7]})"), "sites[0]: expected an object");
  EXPECT_EQ(ErrorOf(R"({"devices": [{"siteUid": "nope", "colour": 1}]})"),
            "devices[0].colour: unknown property (or one the simulator computes)");
  EXPECT_EQ(ErrorOf(R"({"devices": [{"siteUid": 5}]})"),
            "devices[0].siteUid: required, a non-empty string");
  EXPECT_EQ(ErrorOf(R"({"alerts": [{"alertSourceInfo": {"siteUid": 5}, "priority": 3}]})"),
            "alerts[0].alertSourceInfo.siteUid: expected a string or null");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"uid": "a", "name": "A"}],
                        "devices": [{"siteUid": "a", "udf": {"udf5": 7, "bogus": "x"}}]})"),
            "devices[0].udf.udf5: expected a string or null");
  EXPECT_EQ(ErrorOf(R"({"sites": [{"uid": "a", "name": "A"}], "devices": 3, "alerts": [1]})"),
            "devices: expected an array");
}

TEST(SimScenario, FileErrorsNameTheFile) {
  const auto scenario = LoadScenarioFile("/nonexistent/scenario.json", Defaults());
  ASSERT_FALSE(scenario.ok()) << "no error";
  EXPECT_EQ(scenario.error().message, "/nonexistent/scenario.json: cannot open the scenario file");
}

}  // namespace
}  // namespace drmm::sim
