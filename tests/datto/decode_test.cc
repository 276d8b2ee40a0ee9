#include "datto/decode.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
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

}  // namespace
}  // namespace drmm::datto
