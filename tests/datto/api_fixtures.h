// JSON bodies shaped like the Datto RMM API's (openapi.json field names, the udf block, the
// nulls seen on live accounts), for decode, client and benchmark code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace drmm::testing {

inline std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

inline std::string NextPageJson(const std::string& next_url) {
  return next_url.empty() ? "null" : Quoted(next_url);
}

// A device of about 5 KB: every field the spec lists, udf1..udf300 mostly null.
inline std::string DeviceJson(int i, const std::string& site_uid = "site-1") {
  const std::string n = std::to_string(i);
  std::string udf = "{";
  for (int u = 1; u <= 300; ++u) {
    if (u > 1) udf += ",";
    udf += "\"udf" + std::to_string(u) + "\":";
    udf +=
        (u % 50 == 1) ? Quoted("custom value " + std::to_string(u) + " for device " + n) : "null";
  }
  udf += "}";
  return R"({"id":)" + std::to_string(100000 + i) + R"(,"uid":"dev-)" + n +
         R"(","siteId":17,"siteUid":")" + site_uid +
         R"(","siteName":"Acme HQ","deviceType":{"category":"Desktop","type":"Desktop"},)"
         R"("hostname":"ACME-WS-)" +
         n +
         R"(","intIpAddress":"10.0.3.17","operatingSystem":"Microsoft Windows 11 Pro 23H2",)"
         R"("lastLoggedInUser":"ACME\\jdoe","domain":"acme.local","cagVersion":"4.4.2204.2204",)"
         R"("displayVersion":"23H2","extIpAddress":"203.0.113.7","description":null,"a64Bit":true,)"
         R"("rebootRequired":false,"online":true,"suspended":false,"deleted":false,)"
         R"("lastSeen":1767225600000,"lastReboot":1767000000000,"lastAuditDate":1767100000000,)"
         R"("creationDate":1600000000000,"udf":)" +
         udf +
         R"(,"snmpEnabled":false,"deviceClass":"device",)"
         R"("portalUrl":"https://merlot.centrastage.net/csm/search?qs=uid%3Adev-)" +
         n +
         R"(","warrantyDate":null,"antivirus":{"antivirusProduct":"Windows Defender",)"
         R"("antivirusStatus":"RunningAndUpToDate"},"patchManagement":{"patchStatus":"FullyPatched",)"
         R"("patchesApprovedPending":0,"patchesNotApproved":2,"patchesInstalled":143},)"
         R"("softwareStatus":"Compliant","webRemoteUrl":"https://merlot.centrastage.net/csm/remote/)" +
         n + R"(","networkProbe":false,"onboardedViaNetworkMonitor":false})";
}

inline std::string DevicesPageJson(const std::vector<std::string>& devices,
                                   const std::string& next_url = "", std::int64_t total = -1) {
  std::string out = R"({"pageDetails":{"count":)" + std::to_string(devices.size()) +
                    (total >= 0 ? ",\"totalCount\":" + std::to_string(total) : std::string()) +
                    R"(,"prevPageUrl":null,"nextPageUrl":)" + NextPageJson(next_url) +
                    R"(},"devices":[)";
  for (std::size_t i = 0; i < devices.size(); ++i) out += (i ? "," : "") + devices[i];
  return out + "]}";
}

inline std::string SiteJson(const std::string& uid, const std::string& name) {
  return R"({"id":7,"uid":")" + uid + R"(","accountUid":"acc-1","name":")" + name +
         R"(","description":null,"notes":null,"onDemand":false,"splashtopAutoInstall":false,)"
         R"("proxySettings":null,"devicesStatus":{"numberOfDevices":12,)"
         R"("numberOfOnlineDevices":9,"numberOfOfflineDevices":3},"autotaskCompanyName":null,)"
         R"("autotaskCompanyId":null,"portalUrl":"https://merlot.centrastage.net/csm/site/7"})";
}

// `total` is the totalCount of the whole list; -1 stands for this page's count.
inline std::string SitesPageJson(const std::vector<std::string>& sites,
                                 const std::string& next_url = "", std::int64_t total = -1) {
  const std::int64_t total_count = total >= 0 ? total : static_cast<std::int64_t>(sites.size());
  std::string out = R"({"pageDetails":{"count":)" + std::to_string(sites.size()) +
                    R"(,"totalCount":)" + std::to_string(total_count) +
                    R"(,"prevPageUrl":null,"nextPageUrl":)" + NextPageJson(next_url) +
                    R"(},"sites":[)";
  for (std::size_t i = 0; i < sites.size(); ++i) out += (i ? "," : "") + sites[i];
  return out + "]}";
}

inline std::string AlertJson(const std::string& uid, const std::string& priority = "High",
                             const std::string& site_uid = "site-1") {
  return R"({"alertUid":")" + uid + R"(","priority":")" + priority +
         R"(","diagnostics":"disk C: 95% full","resolved":false,"resolvedBy":null,)"
         R"("resolvedOn":null,"muted":false,"ticketNumber":null,"timestamp":1767225000000,)"
         R"("alertMonitorInfo":{"sendsEmails":true,"createsTicket":false},)"
         R"("alertContext":{"@class":"perf_disk_usage_ctx","diskName":"C:","totalVolume":237.0,)"
         R"("freeSpace":11.2},"alertSourceInfo":{"deviceUid":"dev-1","deviceName":"ACME-WS-1",)"
         R"("siteUid":")" +
         site_uid +
         R"(","siteName":"Acme HQ"},"responseActions":[],)"
         R"("autoresolveMins":null})";
}

inline std::string AlertsPageJson(const std::vector<std::string>& alerts,
                                  const std::string& next_url = "") {
  std::string out = R"({"pageDetails":{"count":)" + std::to_string(alerts.size()) +
                    R"(,"prevPageUrl":null,"nextPageUrl":)" + NextPageJson(next_url) +
                    R"(},"alerts":[)";
  for (std::size_t i = 0; i < alerts.size(); ++i) out += (i ? "," : "") + alerts[i];
  return out + "]}";
}

inline std::string TokenJson(const std::string& token, std::int64_t expires_in = 360000) {
  return R"({"access_token":")" + token + R"(","token_type":"bearer","refresh_token":"r-)" + token +
         R"(","expires_in":)" + std::to_string(expires_in) + R"(,"scope":"default","jti":"j-)" +
         token + R"("})";
}

}  // namespace drmm::testing
