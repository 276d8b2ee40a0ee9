#include "datto/decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "api_fixtures.h"

namespace drmm::datto {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

WallTime Millis(std::int64_t ms) { return WallTime{milliseconds(ms)}; }

struct Recorder {
  DecodeContext context;
  std::vector<std::pair<std::string, std::string>> unknown;
  Recorder() {
    context.on_unknown_enum = [this](std::string_view field, std::string_view value) {
      unknown.emplace_back(field, value);
    };
  }
};

TEST(DecodeDevicesPage, ReadsARealisticPage) {
  Recorder r;
  const std::string body = testing::DevicesPageJson(
      {testing::DeviceJson(1), testing::DeviceJson(2, "site-2")},
      "https://merlot-api.centrastage.net/api/v2/account/devices?max=2&page=1", 9);
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->details.count, 2);
  EXPECT_EQ(page->details.total_count, 9);
  EXPECT_EQ(page->details.prev_page_url, std::nullopt);
  EXPECT_EQ(page->details.next_page_url,
            "https://merlot-api.centrastage.net/api/v2/account/devices?max=2&page=1");
  const Device& d = page->items[0];
  EXPECT_EQ(d.uid, "dev-1");
  EXPECT_EQ(d.site_uid, "site-1");
  EXPECT_EQ(d.site_name, "Acme HQ");
  EXPECT_EQ(d.hostname, "ACME-WS-1");
  EXPECT_EQ(d.id, 100001);
  EXPECT_EQ(d.category, "Desktop");
  EXPECT_EQ(d.device_class, "device");
  EXPECT_EQ(d.operating_system, "Microsoft Windows 11 Pro 23H2");
  EXPECT_EQ(d.online, true);
  EXPECT_EQ(d.reboot_required, false);
  EXPECT_EQ(d.suspended, false);
  EXPECT_EQ(d.deleted, false);
  EXPECT_EQ(d.last_seen, Millis(1767225600000));
  EXPECT_EQ(d.last_reboot, Millis(1767000000000));
  EXPECT_EQ(d.last_audit_date, Millis(1767100000000));
  EXPECT_EQ(d.creation_date, Millis(1600000000000));
  ASSERT_TRUE(d.patch_management);
  EXPECT_EQ(d.patch_management->patch_status, "FullyPatched");
  EXPECT_EQ(d.patch_management->patches_approved_pending, 0);
  EXPECT_EQ(d.patch_management->patches_not_approved, 2);
  EXPECT_EQ(d.patch_management->patches_installed, 143);
  ASSERT_TRUE(d.antivirus);
  EXPECT_EQ(d.antivirus->antivirus_product, "Windows Defender");
  EXPECT_EQ(d.antivirus->antivirus_status, "RunningAndUpToDate");
  EXPECT_EQ(page->items[1].site_uid, "site-2");
  EXPECT_EQ(r.context.warnings, 0);
  EXPECT_TRUE(r.unknown.empty());
}

TEST(DecodeDevicesPage, NullsEverywhereAreAbsentNotErrors) {
  Recorder r;
  const std::string body = R"({"pageDetails":null,"devices":[{"id":null,"uid":null,
      "siteUid":null,"siteName":null,"deviceType":null,"hostname":null,"operatingSystem":null,
      "rebootRequired":null,"online":null,"suspended":null,"deleted":null,"lastSeen":null,
      "lastReboot":null,"lastAuditDate":null,"creationDate":null,"udf":null,"deviceClass":null,
      "antivirus":null,"patchManagement":null},
      {"deviceType":{"category":null},"antivirus":{"antivirusProduct":null,"antivirusStatus":null},
       "patchManagement":{"patchStatus":null,"patchesApprovedPending":null,
       "patchesNotApproved":null,"patchesInstalled":null}}, {}]})";
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  const Device& d = page->items[0];
  EXPECT_EQ(d.uid, "");
  EXPECT_EQ(d.site_uid, "");
  EXPECT_EQ(d.id, std::nullopt);
  EXPECT_EQ(d.category, std::nullopt);
  EXPECT_EQ(d.device_class, std::nullopt);
  EXPECT_EQ(d.online, std::nullopt);
  EXPECT_EQ(d.last_seen, std::nullopt);
  EXPECT_EQ(d.patch_management, std::nullopt);
  EXPECT_EQ(d.antivirus, std::nullopt);
  // An object of nulls is present, with every member absent.
  ASSERT_TRUE(page->items[1].patch_management);
  EXPECT_EQ(page->items[1].patch_management->patch_status, std::nullopt);
  EXPECT_EQ(page->items[1].patch_management->patches_installed, std::nullopt);
  ASSERT_TRUE(page->items[1].antivirus);
  EXPECT_EQ(page->items[1].antivirus->antivirus_status, std::nullopt);
  EXPECT_EQ(page->details.next_page_url, std::nullopt);
  EXPECT_EQ(r.context.warnings, 0);
  EXPECT_TRUE(r.unknown.empty());
}

TEST(DecodeDevicesPage, WrongTypesAreAbsentAndCounted) {
  Recorder r;
  const std::string body = R"({"devices":[{"uid":42,"siteUid":"s","id":"12","online":"yes",
      "rebootRequired":1,"lastSeen":true,"lastReboot":"yesterday","deviceType":"Desktop",
      "deviceClass":["device"],"patchManagement":[],"antivirus":{"antivirusStatus":7},
      "hostname":{"name":"x"},"suspended":false}]})";
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  const Device& d = page->items[0];
  EXPECT_EQ(d.uid, "");
  EXPECT_EQ(d.site_uid, "s");
  EXPECT_EQ(d.id, std::nullopt);
  EXPECT_EQ(d.online, std::nullopt);
  EXPECT_EQ(d.reboot_required, std::nullopt);
  EXPECT_EQ(d.last_seen, std::nullopt);
  EXPECT_EQ(d.last_reboot, std::nullopt);
  EXPECT_EQ(d.category, std::nullopt);
  EXPECT_EQ(d.device_class, std::nullopt);
  EXPECT_EQ(d.patch_management, std::nullopt);
  ASSERT_TRUE(d.antivirus);
  EXPECT_EQ(d.antivirus->antivirus_status, std::nullopt);
  EXPECT_EQ(d.hostname, "");
  EXPECT_EQ(d.suspended, false);
  // uid, id, online, rebootRequired, lastSeen, lastReboot, deviceType, deviceClass,
  // patchManagement, antivirusStatus, hostname.
  EXPECT_EQ(r.context.warnings, 11);
}

TEST(DecodeDevicesPage, NumbersAreReadWithCare) {
  Recorder r;
  const std::string body = R"({"devices":[
      {"id":12.0,"patchManagement":{"patchesInstalled":3.5,"patchesNotApproved":18446744073709551615,
       "patchesApprovedPending":9223372036854775807}}]})";
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok());
  const Device& d = page->items[0];
  EXPECT_EQ(d.id, 12);
  EXPECT_EQ(d.patch_management->patches_installed, std::nullopt);
  EXPECT_EQ(d.patch_management->patches_not_approved, std::nullopt);
  EXPECT_EQ(d.patch_management->patches_approved_pending, 9223372036854775807);
  EXPECT_EQ(r.context.warnings, 2);
}

TEST(DecodeDevicesPage, TimestampsAsMillisOrIsoStringsAndNever) {
  Recorder r;
  const std::string body = R"({"devices":[
      {"lastSeen":1767225600000,"lastReboot":"2026-01-01T00:00:00Z",
       "lastAuditDate":"2026-01-01T02:00:00.250+02:00","creationDate":"2026-01-01T00:00:00"},
      {"lastSeen":-62135596800000,"lastReboot":"0001-01-01T00:00:00Z",
       "lastAuditDate":"0001-01-01T00:00:00.000+00:00","creationDate":"0001-01-01T01:00:00+01:00"},
      {"lastSeen":1767225600000.0,"lastReboot":"1767225600000",
       "lastAuditDate":"2026-01-01 00:00:00.123456-0130","creationDate":"2026-01-01"}]})";
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  const WallTime new_year = Millis(1767225600000);
  EXPECT_EQ(page->items[0].last_seen, new_year);
  EXPECT_EQ(page->items[0].last_reboot, new_year);
  EXPECT_EQ(page->items[0].last_audit_date, new_year + milliseconds(250));
  EXPECT_EQ(page->items[0].creation_date, new_year);
  EXPECT_EQ(page->items[1].last_seen, std::nullopt);
  EXPECT_EQ(page->items[1].last_reboot, std::nullopt);
  EXPECT_EQ(page->items[1].last_audit_date, std::nullopt);
  EXPECT_EQ(page->items[1].creation_date, std::nullopt);
  EXPECT_EQ(page->items[2].last_seen, new_year);
  EXPECT_EQ(page->items[2].last_reboot, new_year);
  EXPECT_EQ(page->items[2].last_audit_date,
            new_year + std::chrono::minutes(90) + milliseconds(123));
  EXPECT_EQ(page->items[2].creation_date, new_year);
  EXPECT_EQ(r.context.warnings, 0);  // "never" is a value, not a warning
}

TEST(DecodeDevicesPage, UnknownEnumValuesAreKeptAndReportedOncePerValue) {
  Recorder r;
  const std::string body = R"({"devices":[
      {"uid":"a","deviceClass":"quantumcomputer","patchManagement":{"patchStatus":"PartiallyPatched"},
       "antivirus":{"antivirusStatus":"RunningAndUpToDate"}},
      {"uid":"b","deviceClass":"device","patchManagement":{"patchStatus":"PartiallyPatched"},
       "antivirus":{"antivirusStatus":"Snoozing"}},
      {"uid":"c","deviceClass":"printer","patchManagement":{"patchStatus":"NoData"},
       "antivirus":{"antivirusStatus":"Snoozing"}}]})";
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items[0].device_class, "quantumcomputer");
  EXPECT_EQ(page->items[0].patch_management->patch_status, "PartiallyPatched");
  EXPECT_EQ(page->items[1].patch_management->patch_status, "PartiallyPatched");
  EXPECT_EQ(page->items[1].antivirus->antivirus_status, "Snoozing");
  EXPECT_THAT(r.unknown, ElementsAre(Pair("deviceClass", "quantumcomputer"),
                                     Pair("patchStatus", "PartiallyPatched"),
                                     Pair("antivirusStatus", "Snoozing")));
  EXPECT_EQ(r.context.warnings, 0);
}

TEST(DecodeDevicesPage, SkipsTheUdfBlockAndUnknownFieldsWhateverTheyHold) {
  Recorder r;
  const std::string body = R"({"devices":[{"uid":"a","udf":{"udf1":{"deep":[1,{"x":[null,true]}]},
      "udf2":[[[]]],"udf3":"\u00e9\"x"},"newFieldFromBuild202":{"a":[1,2,3]},"online":true}],
      "somethingElse":[{"devices":"not these"}]})";
  auto page = DecodeDevicesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].uid, "a");
  EXPECT_EQ(page->items[0].online, true);
  EXPECT_EQ(r.context.warnings, 0);
}

TEST(DecodeDevicesPage, EntriesThatAreNotObjectsAreSkippedAndCounted) {
  Recorder r;
  auto page = DecodeDevicesPage(R"({"devices":[null,1,"x",[],{"uid":"a"}]})", r.context);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].uid, "a");
  EXPECT_EQ(r.context.warnings, 4);
}

TEST(DecodePages, AWrongShapeIsADecodeError) {
  const std::string full =
      testing::DevicesPageJson({testing::DeviceJson(1), testing::DeviceJson(2)});
  for (const std::string& body :
       {std::string(), std::string("not json"), std::string("{"), full.substr(0, full.size() / 2),
        full.substr(0, full.size() - 1), full + "x", std::string(R"([{"devices":[]}])"),
        std::string(R"("devices")"), std::string(R"({"pageDetails":{}})"),
        std::string(R"({"devices":null})"), std::string(R"({"devices":{"uid":"a"}})"),
        std::string(R"({"sites":[]})")}) {
    DecodeContext context;
    auto page = DecodeDevicesPage(body, context);
    ASSERT_FALSE(page.ok()) << body.substr(0, 80);
    EXPECT_EQ(page.status().kind(), ErrorKind::kDecode);
    EXPECT_FALSE(page.status().message().empty());
  }
}

TEST(DecodePages, AnEmptyListIsAnEmptyPage) {
  DecodeContext context;
  auto page =
      DecodeAlertsPage(R"({"pageDetails":{"count":0,"nextPageUrl":null},"alerts":[]})", context);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(page->details.count, 0);
}

TEST(DecodeSitesPage, ReadsSites) {
  Recorder r;
  const std::string body = testing::SitesPageJson(
      {testing::SiteJson("s-1", "Acme HQ"), testing::SiteJson("s-2", "Deleted Devices"),
       R"({"uid":"s-3","name":null,"onDemand":true,"devicesStatus":null})"});
  auto page = DecodeSitesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].uid, "s-1");
  EXPECT_EQ(page->items[0].name, "Acme HQ");
  EXPECT_EQ(page->items[0].id, 7);
  EXPECT_EQ(page->items[0].on_demand, false);
  EXPECT_EQ(page->items[0].devices_status.number_of_devices, 12);
  EXPECT_EQ(page->items[0].devices_status.number_of_online_devices, 9);
  EXPECT_EQ(page->items[0].devices_status.number_of_offline_devices, 3);
  EXPECT_EQ(page->items[1].name, "Deleted Devices");
  EXPECT_EQ(page->items[2].name, "");
  EXPECT_EQ(page->items[2].on_demand, true);
  EXPECT_EQ(page->items[2].devices_status.number_of_devices, std::nullopt);
  EXPECT_EQ(page->details.total_count, 3);
  EXPECT_EQ(r.context.warnings, 0);
}

TEST(DecodeAlertsPage, ReadsAlertsAndReportsUnknownPriorities) {
  Recorder r;
  const std::string body = testing::AlertsPageJson(
      {testing::AlertJson("al-1", "Critical", "s-1"), testing::AlertJson("al-2", "Urgent", "s-2"),
       testing::AlertJson("al-3", "Urgent", "s-2"),
       R"({"alertUid":"al-4","priority":null,"alertContext":null,"alertSourceInfo":null,"timestamp":null})"});
  auto page = DecodeAlertsPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 4u);
  const Alert& a = page->items[0];
  EXPECT_EQ(a.alert_uid, "al-1");
  EXPECT_EQ(a.priority, "Critical");
  EXPECT_EQ(a.alert_class, "perf_disk_usage_ctx");
  EXPECT_EQ(a.timestamp, Millis(1767225000000));
  EXPECT_EQ(a.muted, false);
  EXPECT_EQ(a.resolved, false);
  EXPECT_EQ(a.site_uid, "s-1");
  EXPECT_EQ(a.site_name, "Acme HQ");
  EXPECT_EQ(a.device_uid, "dev-1");
  EXPECT_EQ(a.device_name, "ACME-WS-1");
  EXPECT_EQ(page->items[1].priority, "Urgent");
  const Alert& bare = page->items[3];
  EXPECT_EQ(bare.priority, std::nullopt);
  EXPECT_EQ(bare.alert_class, std::nullopt);
  EXPECT_EQ(bare.site_uid, "");
  EXPECT_EQ(bare.timestamp, std::nullopt);
  EXPECT_EQ(page->details.total_count, std::nullopt);
  EXPECT_THAT(r.unknown, ElementsAre(Pair("priority", "Urgent")));
  EXPECT_EQ(r.context.warnings, 0);
}

TEST(DecodeRateStatus, ReadsTheBudgetWithOrWithoutWriteFields) {
  DecodeContext context;
  auto status = DecodeRateStatus(
      R"({"slidingTimeWindowSizeSeconds":60,"accountUid":"acc-1","accountCount":123,
          "accountRateLimit":600,"accountCutOffRatio":0.9,"accountWriteRateLimit":100,
          "accountWriteCount":2,"operationWriteStatus":{"device-move":{"limit":10,"count":0}}})",
      context);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->sliding_window_seconds, 60);
  EXPECT_EQ(status->account_uid, "acc-1");
  EXPECT_EQ(status->account_count, 123);
  EXPECT_EQ(status->account_rate_limit, 600);
  EXPECT_DOUBLE_EQ(*status->account_cutoff_ratio, 0.9);
  auto old_model = DecodeRateStatus(R"({"accountCount":5,"accountCutOffRatio":1})", context);
  ASSERT_TRUE(old_model.ok());
  EXPECT_EQ(old_model->account_count, 5);
  EXPECT_DOUBLE_EQ(*old_model->account_cutoff_ratio, 1.0);
  EXPECT_EQ(old_model->account_rate_limit, std::nullopt);
  EXPECT_EQ(context.warnings, 0);
  EXPECT_EQ(DecodeRateStatus("[]", context).status().kind(), ErrorKind::kDecode);
}

TEST(DecodeAccount, ReadsTotals) {
  DecodeContext context;
  auto account = DecodeAccount(
      R"({"id":1,"uid":"acc-1","name":"Acme MSP","currency":"EUR","descriptor":{"x":1},
          "devicesStatus":{"numberOfDevices":10,"numberOfOnlineDevices":7,
          "numberOfOfflineDevices":3,"numberOfOnDemandDevices":1,"numberOfManagedDevices":9}})",
      context);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->id, 1);
  EXPECT_EQ(account->uid, "acc-1");
  EXPECT_EQ(account->name, "Acme MSP");
  EXPECT_EQ(account->devices_status.number_of_devices, 10);
  EXPECT_EQ(account->devices_status.number_of_online_devices, 7);
  EXPECT_EQ(account->devices_status.number_of_offline_devices, 3);
  EXPECT_EQ(account->devices_status.number_of_on_demand_devices, 1);
  EXPECT_EQ(account->devices_status.number_of_managed_devices, 9);
  auto sparse = DecodeAccount(R"({"devicesStatus":null})", context);
  ASSERT_TRUE(sparse.ok());
  EXPECT_EQ(sparse->devices_status.number_of_devices, std::nullopt);
}

TEST(DecodePageSize, NeedsAPositiveMax) {
  DecodeContext context;
  EXPECT_EQ(DecodePageSize(R"({"max":250})", context).value(), 250);
  for (const char* body : {R"({"max":0})", R"({"max":-1})", R"({"max":"250"})", R"({})",
                           R"({"max":null})", "250", "{"}) {
    EXPECT_EQ(DecodePageSize(body, context).status().kind(), ErrorKind::kDecode) << body;
  }
}

TEST(DecodeTokenResponse, ReadsTokenAndLifetime) {
  DecodeContext context;
  auto token = DecodeTokenResponse(testing::TokenJson("eyJ.abc.def", 360000), context);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->access_token, "eyJ.abc.def");
  EXPECT_EQ(token->expires_in, 360000);
  EXPECT_EQ(token->token_type, "bearer");
  auto as_string = DecodeTokenResponse(R"({"access_token":"t","expires_in":"3600"})", context);
  ASSERT_TRUE(as_string.ok());
  EXPECT_EQ(as_string->expires_in, 3600);
  auto without = DecodeTokenResponse(R"({"access_token":"t"})", context);
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->expires_in, std::nullopt);
}

TEST(DecodeTokenResponse, ErrorsNeverQuoteTheBody) {
  DecodeContext context;
  for (const char* body : {R"({"access_token":"SECRET-TOKEN-123","expires_in":)",
                           R"({"access_token":"SECRET-TOKEN-123" x})",
                           R"({"token":"SECRET-TOKEN-123"})", R"({"access_token":""})"}) {
    auto token = DecodeTokenResponse(body, context);
    ASSERT_FALSE(token.ok()) << body;
    EXPECT_EQ(token.status().kind(), ErrorKind::kDecode);
    EXPECT_THAT(token.status().message(), Not(HasSubstr("SECRET"))) << body;
  }
}

TEST(ParseIso8601Millis, AcceptsTheFormsSeenAndRejectsTheRest) {
  EXPECT_EQ(ParseIso8601Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseIso8601Millis("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(ParseIso8601Millis("1970-01-01T00:00:00.999999Z"), 999);
  EXPECT_EQ(ParseIso8601Millis("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseIso8601Millis("1970-01-01T01:00:00+0100"), 0);
  EXPECT_EQ(ParseIso8601Millis("1970-01-01T00:00:00-01"), 3'600'000);
  EXPECT_EQ(ParseIso8601Millis("1970-01-01t00:01z"), 60'000);
  EXPECT_EQ(ParseIso8601Millis("2024-02-29T12:00:00Z"), 1709208000000);
  EXPECT_EQ(ParseIso8601Millis("0001-01-01T00:00:00Z"), -62135596800000);
  for (const char* bad : {"", "2024", "2024-13-01", "2023-02-29", "2024-01-01T25:00:00Z",
                          "2024-01-01T12:00:00X", "2024-01-01T12:00:00+1", "2024-01-01T12",
                          "2024-01-01T12:00:00.Z", "24-01-01", "2024-01-01T12:00:00Z trailing"}) {
    EXPECT_EQ(ParseIso8601Millis(bad), std::nullopt) << bad;
  }
}

TEST(TimeFromEpochMillis, TreatsTheSentinelAndUnrepresentableValuesAsAbsent) {
  EXPECT_EQ(TimeFromEpochMillis(-62135596800000), std::nullopt);
  EXPECT_EQ(TimeFromEpochMillis(-62135596800000 + 3'600'000), std::nullopt);
  EXPECT_EQ(TimeFromEpochMillis(9'100'000'000'000'000), std::nullopt);
  EXPECT_EQ(TimeFromEpochMillis(0), WallTime{});
  EXPECT_EQ(TimeFromEpochMillis(1767225600000), Millis(1767225600000));
}

TEST(DecodeDevicesPage, ReadsAFullPageOf250Devices) {
  std::vector<std::string> devices;
  for (int i = 0; i < 250; ++i) devices.push_back(testing::DeviceJson(i));
  const std::string body = testing::DevicesPageJson(devices);
  EXPECT_GT(body.size(), 250u * 4500u);  // the size the README describes
  DecodeContext context;
  auto page = DecodeDevicesPage(body, context);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 250u);
  EXPECT_EQ(page->items[249].uid, "dev-249");
  EXPECT_EQ(page->items[249].hostname, "ACME-WS-249");
  EXPECT_EQ(context.warnings, 0);
}

// --- What the simdjson decoder had to pin down (the nlohmann one left it to its parser) -----

Result<Page<Device>> Devices(const std::string& body, DecodeContext& context) {
  return DecodeDevicesPage(body, context);
}

std::string OneDevice(const std::string& fields) { return R"({"devices":[{)" + fields + "}]}"; }

TEST(DecodeDuplicateKeys, TheLastOneWinsWithItsWarningsOnly) {
  Recorder r;
  auto page = Devices(OneDevice(R"("uid":"a","uid":"b","online":"yes","online":true,
      "rebootRequired":true,"rebootRequired":"no","deviceType":{"category":"Laptop"},
      "deviceType":{"type":"x"},"patchManagement":{"patchesInstalled":"many"},
      "patchManagement":null,"antivirus":null,"antivirus":{"antivirusStatus":"NotRunning"},
      "deviceClass":"quantum","deviceClass":"printer")"),
                      r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  const Device& d = page->items.at(0);
  EXPECT_EQ(d.uid, "b");
  EXPECT_EQ(d.online, true);
  EXPECT_EQ(d.reboot_required, std::nullopt);
  EXPECT_EQ(d.category, std::nullopt);  // the second deviceType has none
  EXPECT_EQ(d.patch_management, std::nullopt);
  ASSERT_TRUE(d.antivirus);
  EXPECT_EQ(d.antivirus->antivirus_status, "NotRunning");
  EXPECT_EQ(d.device_class, "printer");
  EXPECT_EQ(r.context.warnings, 1);  // rebootRequired "no"; "yes" and "many" were replaced
  EXPECT_TRUE(r.unknown.empty());    // "quantum" was replaced before anyone saw it
}

TEST(DecodeDuplicateKeys, ARepeatedListReplacesTheFirst) {
  Recorder r;
  auto page = Devices(
      R"({"devices":[{"uid":"a"},1,{"uid":"b","deviceClass":"toaster"}],"pageDetails":{"count":9},
          "devices":[{"uid":"c"}],"pageDetails":{"count":1}})",
      r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].uid, "c");
  EXPECT_EQ(page->details.count, 1);
  EXPECT_EQ(r.context.warnings, 0);
  EXPECT_TRUE(r.unknown.empty());

  DecodeContext context;
  auto gone = Devices(R"({"devices":[{"uid":"a"}],"devices":null})", context);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.status().deterministic());
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(DecodeDeepNesting, IsAClearDeterministicErrorNeverACrash) {
  DecodeContext context;
  // The page is depth 1, the list 2, the device 3: "extra" opens at 4 and reaches 64.
  auto fits = Devices(OneDevice(R"("uid":"a","extra":)" + Nested(61)), context);
  ASSERT_TRUE(fits.ok()) << fits.status().message();
  EXPECT_EQ(fits->items.at(0).uid, "a");
  for (const std::string& body : {OneDevice(R"("uid":"a","extra":)" + Nested(62)),
                                  OneDevice(R"("uid":)" + Nested(100000)), Nested(1'000'000),
                                  R"({"devices":[],"pageDetails":)" + std::string(100000, '[') +
                                      "1" + std::string(100000, ']') + "}"}) {
    auto page = Devices(body, context);
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().kind(), ErrorKind::kDecode);
    EXPECT_THAT(page.status().message(), HasSubstr("nested deeper than 64 levels"));
    EXPECT_TRUE(page.status().deterministic());
  }
  // Deep and broken: rejected as malformed wherever the walk stops.
  for (const std::string& body : {OneDevice(R"("extra":)" + std::string(200000, '{')),
                                  std::string(300000, '[') + "{", std::string(300000, '{')}) {
    auto page = Devices(body, context);
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(page.status().kind(), ErrorKind::kDecode);
  }
}

TEST(DecodeInvalidUtf8, RepairsTheStringCountsAWarningAndKeepsThePage) {
  Recorder r;
  const std::string body = testing::SitesPageJson(
      {testing::SiteJson("s-1", "Caf\xE9 Paris"),  // Latin-1 e-acute
       testing::SiteJson("s-2",
                         "A\xC0\xAF"
                         "B"),                    // overlong '/': two bytes, two marks
       testing::SiteJson("s-3", "\xED\xA0\x80"),  // a surrogate encoded in UTF-8
       testing::SiteJson("s-4", "end \xE2\x82"),  // a sequence cut short
       testing::SiteJson("s-5", "ok \xE2\x82\xAC \xF0\x9F\x98\x80")});  // valid: untouched
  auto page = DecodeSitesPage(body, r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 5u);
  EXPECT_EQ(page->items[0].name, "Caf\xEF\xBF\xBD Paris");
  EXPECT_EQ(page->items[1].name,
            "A\xEF\xBF\xBD\xEF\xBF\xBD"
            "B");
  EXPECT_EQ(page->items[2].name, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(page->items[3].name, "end \xEF\xBF\xBD");
  EXPECT_EQ(page->items[4].name, "ok \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(page->items[4].uid, "s-5");
  EXPECT_EQ(r.context.warnings, 1 + 2 + 3 + 1);
}

TEST(DecodeInvalidUtf8, CountsItInSkippedFieldsAndFailsOutsideStrings) {
  DecodeContext context;
  auto skipped = Devices(OneDevice("\"uid\":\"a\",\"udf\":{\"udf7\":\"\xFF\"}"), context);
  ASSERT_TRUE(skipped.ok()) << skipped.status().message();
  EXPECT_EQ(context.warnings, 1);
  for (const std::string& body : {std::string("{\"devices\":[]\xFF}"), OneDevice("\"id\":1\xFF"),
                                  OneDevice("\"ui\xFF\":1") + "\xC3"}) {
    DecodeContext failed;
    auto page = Devices(body, failed);
    ASSERT_FALSE(page.ok());
    EXPECT_FALSE(page.status().deterministic()) << page.status().message();
    EXPECT_EQ(failed.warnings, 0);  // a page that fails counts nothing
  }
}

TEST(DecodeLoneSurrogates, BecomeReplacementCharactersWithAWarningEach) {
  Recorder r;
  auto page = DecodeSitesPage(
      R"({"sites":[{"uid":"s-1","name":"a\ud800b"},{"uid":"s-2","name":"\udc00"},
          {"uid":"s-3","name":"\ud800\ud800"},{"uid":"s-4","name":"\ud800\u0041"},
          {"uid":"s-5","name":"\ud83d\ude00 \u00e9\/\"\\\b\f\n\r\t"},
          {"uid":"s-6","name":"x","notes":"\udfff"}]})",
      r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 6u);
  EXPECT_EQ(page->items[0].name,
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(page->items[1].name, "\xEF\xBF\xBD");
  EXPECT_EQ(page->items[2].name, "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(page->items[3].name,
            "\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(page->items[4].name, "\xF0\x9F\x98\x80 \xC3\xA9/\"\\\b\f\n\r\t");
  EXPECT_EQ(r.context.warnings, 1 + 1 + 2 + 1 + 0 + 1);  // the skipped "notes" counts too
}

TEST(DecodeNumbers, OutOfRangeIsAbsentAndCountedNeverAPageError) {
  Recorder r;
  auto page = Devices(R"({"devices":[
      {"uid":"a","id":1e400,"lastSeen":-1e400,"extra":1e400,"more":[-1e99999999999999999999]},
      {"uid":"b","id":18446744073709551616,"patchManagement":{"patchesInstalled":-9223372036854775809,
       "patchesNotApproved":-9223372036854775808,"patchesApprovedPending":1e-400}},
      {"uid":"c","id":-0,"lastSeen":-0.0,"patchManagement":{"patchesInstalled":1.0,
       "patchesNotApproved":2.5e1,"patchesApprovedPending":1E2}},
      {"uid":"d","lastSeen":1767225600000.4,"lastReboot":9e15,"lastAuditDate":"000001767225600000"}]})",
                      r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 4u);
  const Device& a = page->items[0];
  EXPECT_EQ(a.id, std::nullopt);
  EXPECT_EQ(a.last_seen, std::nullopt);
  const Device& b = page->items[1];
  EXPECT_EQ(b.id, std::nullopt);
  EXPECT_EQ(b.patch_management->patches_installed, std::nullopt);
  EXPECT_EQ(b.patch_management->patches_not_approved, std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(b.patch_management->patches_approved_pending, 0);  // underflows to 0, as strtod
  const Device& c = page->items[2];
  EXPECT_EQ(c.id, 0);
  EXPECT_EQ(c.last_seen, Millis(0));
  EXPECT_EQ(c.patch_management->patches_installed, 1);
  EXPECT_EQ(c.patch_management->patches_not_approved, 25);
  EXPECT_EQ(c.patch_management->patches_approved_pending, 100);
  const Device& d = page->items[3];
  EXPECT_EQ(d.last_seen, Millis(1767225600000));
  EXPECT_EQ(d.last_reboot, std::nullopt);      // 9e15 ms is past what a time point holds here
  EXPECT_EQ(d.last_audit_date, std::nullopt);  // 17 characters is the longest string accepted
  // a: id, lastSeen; b: id, patchesInstalled; d: lastReboot, lastAuditDate.
  EXPECT_EQ(r.context.warnings, 6);

  DecodeContext context;
  auto rate = DecodeRateStatus(R"({"accountCutOffRatio":1e400,"accountCount":1e2})", context);
  ASSERT_TRUE(rate.ok());
  EXPECT_EQ(rate->account_cutoff_ratio, std::nullopt);
  EXPECT_EQ(rate->account_count, 100);
  EXPECT_EQ(context.warnings, 1);
}

TEST(DecodeNumbers, InvalidNumberSyntaxIsMalformedEvenWhereSkipped) {
  for (const char* number : {"01", "1.", ".5", "+1", "1e", "1e+", "-", "--1", "0x10", "NaN",
                             "Infinity", "-Infinity", "1.5.2", "1_000", "١"}) {
    for (const std::string& body : {OneDevice(std::string(R"("id":)") + number),
                                    OneDevice(std::string(R"("extra":)") + number)}) {
      DecodeContext context;
      auto page = Devices(body, context);
      ASSERT_FALSE(page.ok()) << body;
      EXPECT_FALSE(page.status().deterministic()) << body;
    }
  }
}

TEST(DecodeWrongTypes, EveryFieldOfEveryTypeIsAbsentAndCountedOnce) {
  struct Case {
    const char* key;
    std::vector<const char*> wrong;
  };
  const std::vector<const char*> not_string = {"1", "true", "{}", "[\"x\"]", "-2.5"};
  const std::vector<const char*> not_number = {"\"1\"", "false", "{\"a\":1}", "[]"};
  const std::vector<const char*> not_bool = {"\"true\"", "1", "{}", "[true]", "0"};
  const std::vector<const char*> not_time = {"true", "{}", "[1]", "\"soon\"", "1e400"};
  const std::vector<const char*> not_object = {"\"x\"", "1", "true", "[{}]"};
  const std::vector<Case> cases = {
      {"uid", not_string},
      {"siteUid", not_string},
      {"siteName", not_string},
      {"hostname", not_string},
      {"operatingSystem", not_string},
      {"deviceClass", not_string},
      {"id", not_number},
      {"online", not_bool},
      {"rebootRequired", not_bool},
      {"suspended", not_bool},
      {"deleted", not_bool},
      {"lastSeen", not_time},
      {"lastReboot", not_time},
      {"lastAuditDate", not_time},
      {"creationDate", not_time},
      {"deviceType", not_object},
      {"patchManagement", not_object},
      {"antivirus", not_object},
  };
  for (const Case& c : cases) {
    for (const char* value : c.wrong) {
      Recorder r;
      auto page = Devices(OneDevice(std::string("\"") + c.key + "\":" + value), r.context);
      ASSERT_TRUE(page.ok()) << c.key << "=" << value << ": " << page.status().message();
      const Device& d = page->items.at(0);
      EXPECT_EQ(r.context.warnings, 1) << c.key << "=" << value;
      EXPECT_TRUE(d.uid.empty() && d.site_uid.empty() && d.site_name.empty() &&
                  d.hostname.empty() && !d.operating_system && !d.device_class && !d.id &&
                  !d.online && !d.reboot_required && !d.suspended && !d.deleted && !d.last_seen &&
                  !d.last_reboot && !d.last_audit_date && !d.creation_date && !d.category &&
                  !d.patch_management && !d.antivirus)
          << c.key << "=" << value;
    }
  }
  for (const char* nested : {R"("deviceType":{"category":5})",
                             R"("patchManagement":{"patchStatus":[],"patchesInstalled":"3"})",
                             R"("antivirus":{"antivirusProduct":false})"}) {
    Recorder r;
    auto page = Devices(OneDevice(nested), r.context);
    ASSERT_TRUE(page.ok());
    const bool two = std::string(nested).find("patchesInstalled") != std::string::npos;
    EXPECT_EQ(r.context.warnings, two ? 2 : 1) << nested;
  }
  Recorder r;
  auto sites = DecodeSitesPage(R"({"pageDetails":[],"sites":[{"uid":"s","name":7,"onDemand":"no",
      "portalUrl":{},"devicesStatus":{"numberOfDevices":"12"},"id":true}]})",
                               r.context);
  ASSERT_TRUE(sites.ok());
  EXPECT_EQ(sites->items.at(0).name, "");
  EXPECT_EQ(sites->items.at(0).on_demand, std::nullopt);
  EXPECT_EQ(r.context.warnings, 6);
  Recorder a;
  auto alerts = DecodeAlertsPage(R"({"alerts":[{"alertUid":1,"priority":2,"alertContext":"x",
      "timestamp":"later","muted":"no","resolved":[],"alertSourceInfo":{"siteUid":{}}}]})",
                                 a.context);
  ASSERT_TRUE(alerts.ok());
  EXPECT_EQ(alerts->items.at(0).alert_uid, "");
  EXPECT_EQ(alerts->items.at(0).site_uid, "");
  EXPECT_EQ(a.context.warnings, 7);
}

// A decode error says whether the same bytes always fail (wrong shape) or the body may have
// been cut or mangled on the way (malformed), which is worth another attempt.
TEST(DecodeErrors, SayWhetherTheyAreDeterministic) {
  const std::string page = testing::DevicesPageJson({testing::DeviceJson(1)});
  const std::vector<std::string> transient = {
      "",
      " \n\t",
      "not json",
      "{",
      page.substr(0, page.size() - 1),
      page.substr(0, page.size() / 2),
      page + "x",
      page + "}",
      page + "{}",
      page + " 1",
      "[1,2",
      R"({"devices":[]} {"devices":[]})",
      R"({"devices":[],"x":[1 2]})",
      R"({"devices":[],"x":{"a" 1}})",
      R"({"devices":[],"x":{"a":1,}})",
      R"({"devices":[],"x":[1,]})",
      R"({"devices":[],"x":tru})",
      R"({"devices":[],"x":nul})",
      R"({"devices":[],"x":"bad \x escape"})",
      R"({"devices":[],"x":"\u12"})",
      R"({"devices":[],"x":"\u12G4"})",
      "{\"devices\":[],\"x\":\"raw\ttab\"}",
      R"({"devices":[],"ke\y":1})",
      R"({"devices":[],'x':1})",
      R"({"devices":[],x:1})",
      R"({"devices":[]]})",
      R"({"devices":[},"x":1})",
      R"({"devices":[{"uid":"a"}{"uid":"b"}]})",
      R"({"devices":[] "x":1})",
      R"({"devices" []})",
      R"({"devices":[],"x":"unterminated})",
  };
  for (const std::string& body : transient) {
    DecodeContext context;
    auto result = Devices(body, context);
    ASSERT_FALSE(result.ok()) << body.substr(0, 80);
    EXPECT_EQ(result.status().kind(), ErrorKind::kDecode);
    EXPECT_FALSE(result.status().deterministic()) << body.substr(0, 80);
    EXPECT_THAT(result.status().message(),
                ::testing::AnyOf(::testing::StartsWith("malformed"), ::testing::Eq("empty body")))
        << body.substr(0, 80);
  }
  const std::vector<std::string> deterministic = {R"([{"devices":[]}])",
                                                  R"("devices")",
                                                  "12",
                                                  "null",
                                                  R"({"pageDetails":{}})",
                                                  R"({"devices":null})",
                                                  R"({"devices":{}})",
                                                  R"({"devices":"[]"})",
                                                  R"({"sites":[]})"};
  for (const std::string& body : deterministic) {
    DecodeContext context;
    auto result = Devices(body, context);
    ASSERT_FALSE(result.ok()) << body;
    EXPECT_TRUE(result.status().deterministic()) << body << ": " << result.status().message();
  }
  DecodeContext context;
  EXPECT_TRUE(DecodePageSize(R"({"max":0})", context).status().deterministic());
  EXPECT_FALSE(DecodePageSize(R"({"max":)", context).status().deterministic());
  EXPECT_TRUE(DecodeTokenResponse(R"({"token":"x"})", context).status().deterministic());
  EXPECT_TRUE(DecodeRateStatus("[]", context).status().deterministic());
  EXPECT_FALSE(DecodeAccount("{\"id\":1", context).status().deterministic());
}

TEST(DecodeErrors, NameTheByteButNeverQuoteTheBody) {
  DecodeContext context;
  auto token = DecodeTokenResponse(
      R"({"access_token":"SECRET-TOKEN-123","expires_in":3600} {"access_token":"SECRET"})",
      context);
  ASSERT_FALSE(token.ok());
  EXPECT_THAT(token.status().message(), HasSubstr("byte 54"));
  EXPECT_THAT(token.status().message(), Not(HasSubstr("SECRET")));
  auto empty = DecodeTokenResponse("", context);
  EXPECT_THAT(empty.status().message(), HasSubstr("empty body"));
}

TEST(DecodeTruncation, EveryProperPrefixOfAPageIsRejected) {
  const std::string page = testing::DevicesPageJson(
      {R"({"uid":"a","online":true,"lastSeen":1767225600000,"udf":{"udf1":"x\"y","udf2":null},
          "patchManagement":{"patchStatus":"NoData"},"antivirus":null,"deviceType":{"category":"Server"}})"},
      "https://merlot-api.centrastage.net/api/v2/account/devices?max=1&page=1", 5);
  DecodeContext whole;
  ASSERT_TRUE(Devices(page, whole).ok());
  for (std::size_t size = 0; size < page.size(); ++size) {
    DecodeContext context;
    auto prefix = Devices(page.substr(0, size), context);
    ASSERT_FALSE(prefix.ok()) << size << ": " << page.substr(0, size);
    EXPECT_FALSE(prefix.status().deterministic()) << size;
  }
}

TEST(DecodeLargeValues, AThirtyMegabyteStringIsReadOrSkipped) {
  const std::string huge(30u << 20, 'x');
  DecodeContext context;
  auto read = DecodeSitesPage(R"({"sites":[{"uid":"s","name":")" + huge + R"("}]})", context);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->items.at(0).name.size(), huge.size());
  auto skipped =
      DecodeSitesPage(R"({"sites":[{"uid":"s","notes":")" + huge + R"(\u00e9"}]})", context);
  ASSERT_TRUE(skipped.ok()) << skipped.status().message();
  EXPECT_EQ(skipped->items.at(0).uid, "s");
  EXPECT_EQ(context.warnings, 0);
}

TEST(DecodeOptions, PsaWarrantyAndUdfsAreReadOnlyWhenAsked) {
  const std::string sites = testing::SitesPageJson(
      {R"({"uid":"s-1","autotaskCompanyId":"29683771","autotaskCompanyName":"Acme Corp"})",
       testing::SiteJson("s-2", "Not linked"),
       R"({"uid":"s-3","autotaskCompanyId":29683771,"autotaskCompanyName":["x"]})"});
  DecodeContext plain;
  auto skipped = DecodeSitesPage(sites, plain);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->items[0].autotask_company_id, std::nullopt);
  EXPECT_EQ(plain.warnings, 0);  // not read, so not judged
  DecodeContext asked;
  asked.options.site_autotask = true;
  auto read = DecodeSitesPage(sites, asked);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->items[0].autotask_company_id, "29683771");
  EXPECT_EQ(read->items[0].autotask_company_name, "Acme Corp");
  EXPECT_EQ(read->items[1].autotask_company_id, std::nullopt);
  EXPECT_EQ(read->items[1].autotask_company_name, std::nullopt);
  EXPECT_EQ(read->items[2].autotask_company_id, std::nullopt);
  EXPECT_EQ(asked.warnings, 2);

  const std::string devices = testing::DevicesPageJson(
      {testing::DeviceJson(1),
       R"({"uid":"w","warrantyDate":"2027-03-01","udf":{"udf2":"gold","udf2":"silver","udf3":7,
           "udf300":"owner: kim","udf301":"no","udf0":"no","udf03":"no","udfx":"no"}})",
       R"({"uid":"x","warrantyDate":"2027-03-01T12:00:00+02:00","udf":null})",
       R"({"uid":"y","warrantyDate":"soon","udf":"none"})",
       R"({"uid":"z","warrantyDate":null,"udf":{}})"});
  DecodeContext common;
  auto without = DecodeDevicesPage(devices, common);
  ASSERT_TRUE(without.ok());
  for (const Device& d : without->items) {
    EXPECT_EQ(d.warranty_date, std::nullopt);
    EXPECT_TRUE(d.udfs.empty());
  }
  EXPECT_EQ(common.warnings, 0);

  DecodeContext wanted;
  wanted.options.device_warranty = true;
  for (int udf : {1, 2, 3, 51, 300}) wanted.options.device_udfs.set(static_cast<std::size_t>(udf));
  auto with = DecodeDevicesPage(devices, wanted);
  ASSERT_TRUE(with.ok()) << with.status().message();
  ASSERT_EQ(with->items.size(), 5u);
  using Udfs = std::vector<std::pair<int, std::string>>;
  EXPECT_EQ(with->items[0].warranty_date, std::nullopt);  // null in the fixture
  EXPECT_EQ(with->items[0].udfs,
            (Udfs{{1, "custom value 1 for device 1"}, {51, "custom value 51 for device 1"}}));
  EXPECT_EQ(with->items[1].warranty_date, Millis(1803859200000));
  EXPECT_EQ(with->items[1].udfs, (Udfs{{2, "silver"}, {300, "owner: kim"}}));
  EXPECT_EQ(with->items[2].warranty_date, Millis(1803902400000 - 7'200'000));
  EXPECT_TRUE(with->items[2].udfs.empty());
  EXPECT_EQ(with->items[3].warranty_date, std::nullopt);
  EXPECT_EQ(with->items[4].warranty_date, std::nullopt);
  // udf3 of "w" (a number), the warrantyDate and the udf block of "y".
  EXPECT_EQ(wanted.warnings, 3);
}

TEST(ParseIso8601Millis, UsesTheProlepticGregorianCalendar) {
  EXPECT_EQ(ParseIso8601Millis("2000-02-29"), 951782400000);
  EXPECT_EQ(ParseIso8601Millis("1900-02-29"), std::nullopt);
  EXPECT_EQ(ParseIso8601Millis("2024-04-31"), std::nullopt);
  EXPECT_EQ(ParseIso8601Millis("0000-01-01"), -62167219200000);
  EXPECT_EQ(ParseIso8601Millis("9999-12-31T23:59:60Z"), 253402300800000);
  EXPECT_EQ(ParseIso8601Millis("1969-12-31T23:59:59.999Z"), -1);
}

// The walk handles whitespace itself: a pretty-printed page (CRLF, tabs, spaces around every
// token) reads like the compact one.
TEST(DecodeWhitespace, APrettyPrintedPageReadsLikeTheCompactOne) {
  const std::string compact = testing::DevicesPageJson(
      {testing::DeviceJson(1), R"({"uid":"b","udf":{"udf1":"x"},"patchManagement":null})"},
      "https://merlot-api.centrastage.net/api/v2/account/devices?max=2&page=1", 9);
  std::string pretty = " \r\n\t";
  bool in_string = false;
  for (std::size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    pretty += c;
    if (c == '"' && (i == 0 || compact[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && (c == '{' || c == '[' || c == ',' || c == ':' || c == '"'))
      pretty += "\r\n\t ";
  }
  pretty += "\n\n";
  DecodeContext a;
  DecodeContext b;
  a.options.device_udfs.set(1);
  b.options.device_udfs.set(1);
  auto from_compact = Devices(compact, a);
  auto from_pretty = Devices(pretty, b);
  ASSERT_TRUE(from_compact.ok());
  ASSERT_TRUE(from_pretty.ok()) << from_pretty.status().message();
  ASSERT_EQ(from_pretty->items.size(), 2u);
  EXPECT_EQ(from_pretty->items[0].uid, "dev-1");
  EXPECT_EQ(from_pretty->items[0].hostname, from_compact->items[0].hostname);
  EXPECT_EQ(from_pretty->items[0].last_seen, Millis(1767225600000));
  EXPECT_EQ(from_pretty->items[0].patch_management->patches_installed, 143);
  EXPECT_EQ(from_pretty->items[0].udfs, from_compact->items[0].udfs);
  EXPECT_EQ(from_pretty->items[1].udfs, (std::vector<std::pair<int, std::string>>{{1, "x"}}));
  EXPECT_EQ(from_pretty->details.next_page_url, from_compact->details.next_page_url);
  EXPECT_EQ(b.warnings, a.warnings);
}

// Keys are compared after unescaping, as a full parser would.
TEST(DecodeKeys, EscapedKeysMatchTheirText) {
  Recorder r;
  auto page = Devices(
      R"({"\u0064evices":[{"\u0075id":"a","host\u006eame":"h","\"odd\\key\"":1,"":2,"\u00e9":3}]})",
      r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].uid, "a");
  EXPECT_EQ(page->items[0].hostname, "h");
  EXPECT_EQ(r.context.warnings, 0);
}

// --- Regressions found by tests/fuzz/decode_fuzz.cc --------------------------------------------

// simdjson's On-Demand skip took a string value followed by a colon for a key, so a device
// {"uid":"a":"b"}} (an extra brace closing the rest) decoded as valid.
TEST(DecodeFuzzRegressions, AStringValueFollowedByAColonIsMalformed) {
  for (const char* body : {R"({"devices":[{"uid":"a":"b"}}]})", R"({"devices":[["a":"b"]]})",
                           R"({"devices":[],"x":"a":"b"})", R"({"devices":[],"x":["a":1]})",
                           R"({"devices":[{"id":"1iceType":"Desktop","udf""p""a"}}]})"}) {
    DecodeContext context;
    auto page = Devices(body, context);
    ASSERT_FALSE(page.ok()) << body;
    EXPECT_FALSE(page.status().deterministic()) << body;
    EXPECT_FALSE(DecodeSitesPage(body, context).ok()) << body;
  }
}

// nlohmann's lexer ends the input at a NUL byte between tokens; JSON has no raw NUL anywhere.
TEST(DecodeFuzzRegressions, ANulByteIsNotTheEndOfTheBody) {
  for (const std::string& body :
       {std::string("\t8\0\0\0\0\0\0\0\xb3}", 11), std::string(R"({"devices":[]})") + '\0',
        std::string("{\"devices\":[]\0}", 15), std::string("{\"devices\":[\"\0\"]}", 17)}) {
    DecodeContext context;
    auto page = Devices(body, context);
    ASSERT_FALSE(page.ok());
    EXPECT_FALSE(page.status().deterministic()) << page.status().message();
  }
}

// A time outside what a WallTime holds (years 1678 to 2261) overflowed its nanoseconds: UBSan
// stopped on a simulator page whose lastReboot the fuzzer had turned into the year 1013.
TEST(DecodeFuzzRegressions, TimesAWallTimeCannotHoldAreAbsentAndCounted) {
  EXPECT_EQ(TimeFromEpochMillis(-30172886706091), std::nullopt);                   // 1013-11-10
  EXPECT_EQ(TimeFromEpochMillis(9'300'000'000'000), std::nullopt);                 // 2264
  EXPECT_EQ(TimeFromEpochMillis(-9'300'000'000'000), std::nullopt);                // 1675
  EXPECT_EQ(TimeFromEpochMillis(9'000'000'000'000), Millis(9'000'000'000'000));    // 2255
  EXPECT_EQ(TimeFromEpochMillis(-9'000'000'000'000), Millis(-9'000'000'000'000));  // 1684
  Recorder r;
  auto page = Devices(OneDevice(R"("lastReboot":"1013-11-10T18:34:53.909Z","lastSeen":9300000000000,
      "creationDate":"2500-01-01","lastAuditDate":5e14,"warrantyDate":"1013-11-10")"),
                      r.context);
  ASSERT_TRUE(page.ok()) << page.status().message();
  const Device& d = page->items.at(0);
  EXPECT_EQ(d.last_reboot, std::nullopt);
  EXPECT_EQ(d.last_seen, std::nullopt);
  EXPECT_EQ(d.creation_date, std::nullopt);
  EXPECT_EQ(d.last_audit_date, std::nullopt);
  EXPECT_EQ(r.context.warnings, 4);  // warrantyDate is not read unless asked
}

}  // namespace
}  // namespace drmm::datto
