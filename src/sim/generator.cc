#include "sim/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/json_writer.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

using std::string_view;

constexpr std::int64_t kSecond = 1000;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// The spreads added for stale agents and warranty are drawn from a generator of their own,
// seeded from the device's uid, so the main stream (and every account generated before them)
// stays as it was.
Rng LifecycleRng(const std::string& uid) {
  std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a
  for (const char c : uid) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return Rng(hash);
}

// When an offline device was last seen: mostly within a day, a tail of stale agents, a few
// never. Every value keeps an hour clear of the default stale ages (1d, 7d, 30d), so a ground
// truth taken minutes after the exporter's poll still agrees with it exactly.
std::int64_t OfflineLastSeen(Rng& rng, std::int64_t now_ms) {
  switch (rng.Weighted({0.45, 0.25, 0.15, 0.11, 0.04})) {
    case 0:
      return now_ms - rng.Between(kHour, kDay - kHour);
    case 1:
      return now_ms - rng.Between(kDay + kHour, 7 * kDay - kHour);
    case 2:
      return now_ms - rng.Between(7 * kDay + kHour, 30 * kDay - kHour);
    case 3:
      return now_ms - rng.Between(30 * kDay + kHour, 400 * kDay);
    default:
      return kNeverMillis;
  }
}

// A warrantyDate ("YYYY-MM-DD", midnight UTC) passed, ending within 30 days, ending later, or
// none; each a day clear of now and of now + 30 days (the default horizon).
std::optional<std::string> WarrantyDate(Rng& rng, std::int64_t now_ms) {
  const std::int64_t midnight = now_ms - ((now_ms % kDay) + kDay) % kDay;
  std::int64_t days = 0;
  switch (rng.Weighted({0.2, 0.25, 0.1, 0.45})) {
    case 0:
      return std::nullopt;
    case 1:
      days = -rng.Between(1, 1500);
      break;
    case 2:
      days = rng.Between(2, 29);
      break;
    default:
      days = rng.Between(32, 1500);
      break;
  }
  return FormatIsoMillis(midnight + days * kDay).substr(0, 10);
}

constexpr std::array<string_view, 48> kNameFirst = {
    "Acme",        "Northwind",    "Contoso",   "Fabrikam",  "Blue Harbor", "Summit",
    "Riverside",   "Oakwood",      "Pinecrest", "Lakeside",  "Granite",     "Silverline",
    "Redwood",     "Harbor Point", "Maple",     "Cedar",     "Evergreen",   "Ironbridge",
    "Brightwater", "Stonegate",    "Westfield", "Eastgate",  "Highland",    "Meadowbrook",
    "Crescent",    "Falcon",       "Orion",     "Atlas",     "Beacon",      "Keystone",
    "Willow",      "Copperfield",  "Sterling",  "Bayview",   "Northgate",   "Clearwater",
    "Greenfield",  "Kingsley",     "Ashford",   "Hawthorne", "Lighthouse",  "Mariner",
    "Pioneer",     "Riverbend",    "Sunrise",   "Trinity",   "Vanguard",    "Windmill"};
constexpr std::array<string_view, 40> kNameSecond = {"Dental",
                                                     "Logistics",
                                                     "Law Group",
                                                     "Accounting",
                                                     "Medical Centre",
                                                     "Engineering",
                                                     "Architects",
                                                     "Veterinary Clinic",
                                                     "Realty",
                                                     "Construction",
                                                     "Insurance",
                                                     "Pharmacy",
                                                     "Motors",
                                                     "Bakery",
                                                     "Hotel",
                                                     "Consulting",
                                                     "Manufacturing",
                                                     "Primary School",
                                                     "Library",
                                                     "Brewing",
                                                     "Surveyors",
                                                     "Opticians",
                                                     "Physiotherapy",
                                                     "Foods",
                                                     "Freight",
                                                     "Printing",
                                                     "Electrical",
                                                     "Plumbing",
                                                     "Landscaping",
                                                     "Marine",
                                                     "Credit Union",
                                                     "Golf Club",
                                                     "Family Practice",
                                                     "Wealth Partners",
                                                     "Media",
                                                     "Recruitment",
                                                     "Property Management",
                                                     "Auto Repair",
                                                     "Care Home",
                                                     "Joinery"};
constexpr std::array<string_view, 12> kFirstNames = {"anna", "ben",   "chloe", "david",
                                                     "emma", "frank", "grace", "henry",
                                                     "isla", "jack",  "kate",  "liam"};
constexpr std::array<string_view, 12> kLastNames = {"smith",  "jones",  "taylor", "brown",
                                                    "wilson", "evans",  "thomas", "roberts",
                                                    "walker", "wright", "green",  "hall"};
constexpr std::array<string_view, 5> kAntivirusProducts = {"Windows Defender", "Sophos Intercept X",
                                                           "Bitdefender Endpoint Security",
                                                           "Webroot SecureAnywhere", "Datto AV"};
constexpr std::array<string_view, 4> kNetworkTypes = {"Switch", "Router", "Firewall",
                                                      "Access Point"};
constexpr std::array<string_view, 4> kServices = {"Spooler", "W32Time", "MSSQLSERVER",
                                                  "BackupExecAgent"};
constexpr std::array<string_view, 4> kProcesses = {"chrome.exe", "sqlservr.exe", "MsMpEng.exe",
                                                   "outlook.exe"};

string_view KindCode(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kDesktop:
      return "DT";
    case DeviceKind::kLaptop:
      return "LT";
    case DeviceKind::kServer:
      return "SRV";
    case DeviceKind::kPrinter:
      return "PRN";
    case DeviceKind::kNetworkDevice:
      return "NET";
    case DeviceKind::kEsxiHost:
      return "ESX";
  }
  return "DT";
}

bool IsAgent(DeviceKind kind) {
  return kind == DeviceKind::kDesktop || kind == DeviceKind::kLaptop || kind == DeviceKind::kServer;
}

// Upper-case letters of the first word (at most five), used as the hostname prefix.
std::string SiteCode(const std::string& name) {
  std::string code;
  for (char c : name) {
    if (c == ' ' || code.size() == 5) break;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) code += c;
  }
  return code.empty() ? "SITE" : code;
}

std::string Lower(string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Format(const char* fmt, auto... args) {
  std::array<char, 160> buf{};
  std::snprintf(buf.data(), buf.size(), fmt, args...);
  return buf.data();
}

enum class OsFamily { kWindows, kMac, kLinux, kNone };

std::pair<std::string, OsFamily> PickOperatingSystem(Rng& rng, DeviceKind kind) {
  switch (kind) {
    case DeviceKind::kDesktop:
      return rng.Chance(0.62)
                 ? std::pair{"Microsoft Windows 11 Pro 10.0.22631", OsFamily::kWindows}
                 : std::pair{"Microsoft Windows 10 Pro 10.0.19045", OsFamily::kWindows};
    case DeviceKind::kLaptop:
      if (rng.Chance(0.12)) return {"macOS Sonoma 14.5", OsFamily::kMac};
      return rng.Chance(0.7) ? std::pair{"Microsoft Windows 11 Pro 10.0.22631", OsFamily::kWindows}
                             : std::pair{"Microsoft Windows 10 Pro 10.0.19045", OsFamily::kWindows};
    case DeviceKind::kServer:
      switch (rng.Weighted({0.45, 0.3, 0.1, 0.15})) {
        case 0:
          return {"Microsoft Windows Server 2022 Standard 10.0.20348", OsFamily::kWindows};
        case 1:
          return {"Microsoft Windows Server 2019 Standard 10.0.17763", OsFamily::kWindows};
        case 2:
          return {"Microsoft Windows Server 2016 Standard 10.0.14393", OsFamily::kWindows};
        default:
          return {"Ubuntu 22.04.4 LTS", OsFamily::kLinux};
      }
    case DeviceKind::kEsxiHost:
      return {"VMware ESXi 7.0.3", OsFamily::kNone};
    case DeviceKind::kPrinter:
    case DeviceKind::kNetworkDevice:
      break;
  }
  return {"", OsFamily::kNone};
}

void SetPatchState(Rng& rng, PatchManagementData& pm) {
  static constexpr std::array<string_view, 6> kStatuses = {
      "FullyPatched", "ApprovedPending", "InstallError", "RebootRequired", "NoPolicy", "NoData"};
  const std::size_t s = rng.Weighted({0.55, 0.18, 0.05, 0.07, 0.08, 0.07});
  pm.patch_status = std::string(kStatuses[s]);
  if (s == 5) {  // NoData: the counts are null on live accounts
    pm.patches_approved_pending.reset();
    pm.patches_not_approved.reset();
    pm.patches_installed.reset();
    return;
  }
  pm.patches_installed = s == 4 ? rng.Between(0, 40) : rng.Between(80, 600);
  pm.patches_not_approved = rng.Between(0, 30);
  pm.patches_approved_pending = s == 1 ? rng.Between(1, 25) : (s == 2 ? rng.Between(1, 5) : 0);
}

std::string ContextJson(string_view alert_class, auto&& body) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject().Key("@class").String(alert_class);
  body(w);
  w.EndObject();
  return out;
}

}  // namespace

double OnlineProbability(DeviceKind kind, double online_ratio) {
  double p = online_ratio;
  switch (kind) {
    case DeviceKind::kServer:
      p += 0.12;
      break;
    case DeviceKind::kLaptop:
      p -= 0.25;
      break;
    case DeviceKind::kPrinter:
      p += 0.05;
      break;
    case DeviceKind::kNetworkDevice:
      p += 0.1;
      break;
    case DeviceKind::kEsxiHost:
      p += 0.12;
      break;
    case DeviceKind::kDesktop:
      break;
  }
  return std::clamp(p, 0.0, 1.0);
}

AccountInfo MakeAccountInfo(Rng& rng) {
  AccountInfo info;
  info.id = rng.Between(1000, 99999);
  static constexpr string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 8; ++i) info.uid += kAlphabet[rng.Below(kAlphabet.size())];
  info.name = std::string(rng.Pick(kNameFirst)) + " IT Services";
  info.billing_email = "billing@" + Lower(SiteCode(info.name)) + "-it.example";
  info.device_limit = 250000;
  info.time_zone = "Europe/London";
  info.currency = "GBP";
  return info;
}

std::string MakeSiteName(Rng& rng, const std::unordered_set<std::string>& taken) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string name = std::string(rng.Pick(kNameFirst)) + " " + std::string(rng.Pick(kNameSecond));
    if (!taken.contains(name)) return name;
  }
  std::string base = std::string(rng.Pick(kNameFirst)) + " " + std::string(rng.Pick(kNameSecond));
  for (int n = 2;; ++n) {
    std::string name = base + " " + std::to_string(n);
    if (!taken.contains(name)) return name;
  }
}

SimSite MakeSite(Rng& rng, std::int64_t id, std::string name, bool on_demand) {
  SimSite site;
  site.id = id;
  site.uid = rng.Uuid();
  site.name = std::move(name);
  site.on_demand = on_demand;
  site.splashtop_auto_install = rng.Chance(0.5);
  if (rng.Chance(0.2)) site.description = rng.Chance(0.5) ? "Head office" : "Managed since 2019";
  if (rng.Chance(0.1)) site.notes = "After-hours contact: see PSA";
  if (rng.Chance(0.05)) {
    ProxySettingsData proxy;
    proxy.host = "proxy." + Lower(SiteCode(site.name)) + ".local";
    proxy.port = 8080;
    proxy.type = "http";
    site.proxy_settings = std::move(proxy);
  }
  if (!on_demand && !site.IsDeletedDevicesSite() && rng.Chance(0.4)) {
    site.autotask_company_name = site.name;
    site.autotask_company_id = std::to_string(rng.Between(29600000, 29699999));
  }
  return site;
}

DeviceKind PickDeviceKind(Rng& rng) {
  return static_cast<DeviceKind>(rng.Weighted({0.52, 0.26, 0.09, 0.05, 0.06, 0.02}));
}

DeviceKind KindOf(const SimDevice& device) {
  const std::string cls = device.device_class.value_or("device");
  if (cls == "printer") return DeviceKind::kPrinter;
  if (cls == "rmmnetworkdevice") return DeviceKind::kNetworkDevice;
  if (cls == "esxihost") return DeviceKind::kEsxiHost;
  const std::string category =
      device.device_type ? device.device_type->category.value_or("") : std::string();
  if (category == "Laptop") return DeviceKind::kLaptop;
  if (category == "Server") return DeviceKind::kServer;
  if (category == "Printer") return DeviceKind::kPrinter;
  if (category == "Network Device") return DeviceKind::kNetworkDevice;
  return DeviceKind::kDesktop;
}

SimDevice MakeDevice(Rng& rng, std::int64_t id, const SimSite& site, DeviceKind kind, int number,
                     double online_ratio, std::int64_t now_ms) {
  SimDevice d;
  d.id = id;
  d.uid = rng.Uuid();
  d.site_uid = site.uid;
  const bool deleted_site = site.IsDeletedDevicesSite();
  const std::string code = SiteCode(site.name);
  const auto site_octet = static_cast<int>(site.id % 250);

  DeviceTypeData type;
  switch (kind) {
    case DeviceKind::kDesktop:
      type = {"Desktop", "Desktop"};
      break;
    case DeviceKind::kLaptop:
      type = {"Laptop", "Laptop"};
      break;
    case DeviceKind::kServer:
      type = {"Server", "Main System Chassis"};
      break;
    case DeviceKind::kPrinter:
      type = {"Printer", "Printer"};
      break;
    case DeviceKind::kNetworkDevice:
      type = {"Network Device", std::string(rng.Pick(kNetworkTypes))};
      break;
    case DeviceKind::kEsxiHost:
      type = {"ESXi Host", "VMware ESXi"};
      break;
  }
  d.device_type = type;
  d.hostname = Format("%s-%s%03d", code.c_str(), std::string(KindCode(kind)).c_str(), number);
  d.int_ip_address = Format("10.%d.%d.%d", site_octet, (number / 250) % 250, number % 250 + 1);
  d.online = !deleted_site && rng.Chance(OnlineProbability(kind, online_ratio));
  d.suspended = false;
  d.deleted = deleted_site;
  d.creation_date = now_ms - rng.Between(30 * kDay, 1500 * kDay);
  d.last_seen =
      *d.online ? now_ms - rng.Between(0, 2 * kMinute) : now_ms - rng.Between(kHour, 60 * kDay);
  Rng lifecycle = LifecycleRng(d.uid);
  if (!*d.online) {
    d.last_seen = OfflineLastSeen(lifecycle, now_ms);
    // Suspended agents are not monitored, so they are among the offline ones.
    if (!deleted_site && lifecycle.Chance(0.08)) d.suspended = true;
  }

  if (rng.Chance(0.15)) {
    static constexpr std::array<string_view, 3> kContracts = {"Gold", "Silver", "Bronze"};
    d.udf.emplace_back(1, std::string(rng.Pick(kContracts)));
    if (rng.Chance(0.5)) d.udf.emplace_back(2, Format("AT-%05d", static_cast<int>(id % 100000)));
  }

  const std::string device_class = kind == DeviceKind::kPrinter         ? "printer"
                                   : kind == DeviceKind::kNetworkDevice ? "rmmnetworkdevice"
                                   : kind == DeviceKind::kEsxiHost      ? "esxihost"
                                                                        : "device";
  d.device_class = device_class;

  if (!IsAgent(kind)) {
    // Monitored through a network node or the vSphere API: no agent, so most agent
    // properties are null, and nothing has ever rebooted as far as Datto knows.
    d.snmp_enabled = kind != DeviceKind::kEsxiHost;
    d.onboarded_via_network_monitor = kind != DeviceKind::kEsxiHost;
    d.last_reboot = kNeverMillis;
    d.last_audit_date = rng.Chance(0.8) ? now_ms - rng.Between(kDay, 30 * kDay) : kNeverMillis;
    if (kind == DeviceKind::kEsxiHost) {
      d.operating_system = PickOperatingSystem(rng, kind).first;
      d.a64_bit = true;
      d.network_probe = false;
      d.last_reboot = now_ms - rng.Between(10 * kDay, 200 * kDay);
    }
    if (rng.Chance(0.3))
      d.description = kind == DeviceKind::kPrinter ? "Reception printer" : "Core";
    return d;
  }

  auto [os, family] = PickOperatingSystem(rng, kind);
  d.operating_system = os;
  d.cag_version = "4.4.2216.2216";
  d.display_version = "4.4.2216";
  d.ext_ip_address = Format("203.0.113.%d", site_octet + 1);
  d.a64_bit = true;
  d.snmp_enabled = false;
  d.network_probe = kind == DeviceKind::kServer && rng.Chance(0.3);
  d.onboarded_via_network_monitor = false;
  if (family == OsFamily::kWindows) {
    d.domain = rng.Chance(0.85) ? Lower(code) + ".local" : "WORKGROUP";
  }
  if (kind == DeviceKind::kServer) {
    d.last_logged_in_user = family == OsFamily::kWindows ? Lower(code) + "\\administrator" : "root";
    if (rng.Chance(0.5)) d.description = rng.Chance(0.5) ? "Domain controller" : "File server";
  } else if (rng.Chance(0.92)) {
    d.last_logged_in_user = Lower(code) + "\\" + std::string(rng.Pick(kFirstNames)) + "." +
                            std::string(rng.Pick(kLastNames));
  }
  d.last_reboot = rng.Chance(0.02) ? kNeverMillis : now_ms - rng.Between(kHour, 40 * kDay);
  d.last_audit_date = now_ms - rng.Between(kHour, 7 * kDay);
  if (rng.Chance(0.5)) {
    d.warranty_date =
        Format("%04d-%02d-%02d", static_cast<int>(rng.Between(2025, 2029)),
               static_cast<int>(rng.Between(1, 12)), static_cast<int>(rng.Between(1, 28)));
  }
  // The draws above stay for the main stream's sake; the date itself is relative to now.
  d.warranty_date = WarrantyDate(lifecycle, now_ms);
  d.software_status = rng.Chance(0.85) ? "Compliant" : "Non-Compliant";

  PatchManagementData pm;
  AntivirusData av;
  switch (family) {
    case OsFamily::kWindows: {
      SetPatchState(rng, pm);
      static constexpr std::array<string_view, 4> kAvStatuses = {
          "RunningAndUpToDate", "RunningAndNotUpToDate", "NotRunning", "NotDetected"};
      const std::size_t s = rng.Weighted({0.78, 0.08, 0.04, 0.10});
      av.antivirus_status = std::string(kAvStatuses[s]);
      if (s != 3) av.antivirus_product = std::string(rng.Pick(kAntivirusProducts));
      break;
    }
    case OsFamily::kMac:
      av.antivirus_status = "NotDetected";  // patch status stays null: not managed on macOS
      break;
    case OsFamily::kLinux:
    case OsFamily::kNone:
      break;  // both statuses null
  }
  d.patch_management = pm;
  d.antivirus = av;
  d.reboot_required = pm.patch_status == "RebootRequired" || rng.Chance(0.03);
  return d;
}

void RandomizePatchState(Rng& rng, SimDevice& device) {
  if (!device.patch_management) return;
  SetPatchState(rng, *device.patch_management);
  device.reboot_required = device.patch_management->patch_status == "RebootRequired";
}

std::optional<std::string> MakeAlertContext(Rng& rng, string_view alert_class,
                                            std::int64_t now_ms) {
  if (alert_class == "online_offline_status_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) { w.Key("status").String("OFFLINE"); });
  }
  if (alert_class == "perf_resource_usage_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      const bool cpu = rng.Chance(0.6);
      w.Key("processName");
      if (rng.Chance(0.5)) {
        w.String(rng.Pick(kProcesses));
      } else {
        w.Null();
      }
      w.Key("sample").Double(static_cast<double>(rng.Between(900, 1000)) / 10.0);
      w.Key("type").String(cpu ? "CPU" : "MEMORY");
    });
  }
  if (alert_class == "perf_disk_usage_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      const auto total = static_cast<double>(rng.Between(1000, 20000)) / 10.0;
      w.Key("diskName").String(rng.Chance(0.8) ? "C:" : "D:");
      w.Key("totalVolume").Double(total);
      w.Key("freeSpace").Double(static_cast<double>(rng.Between(5, 90)) / 10.0);
      w.Key("unitOfMeasure").String("PERCENT");
      w.Key("diskNameDesignation").String("SINGLE_VOLUME");
    });
  }
  if (alert_class == "patch_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      w.Key("patchUid").String(rng.Uuid());
      w.Key("policyUid").String(rng.Uuid());
      w.Key("result").String("Failed");
      w.Key("info").String(Format("KB50%05d failed to install (0x80070643)",
                                  static_cast<int>(rng.Between(0, 99999))));
    });
  }
  if (alert_class == "antivirus_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      static constexpr std::array<string_view, 3> kStatus = {"NOTDETECTED", "NOTRUNNING",
                                                             "RUNNINGNOTUPTODATE"};
      const string_view status = rng.Pick(kStatus);
      w.Key("status").String(status);
      w.Key("productName");
      if (status == "NOTDETECTED") {
        w.Null();
      } else {
        w.String(rng.Pick(kAntivirusProducts));
      }
    });
  }
  if (alert_class == "srvc_status_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      w.Key("processName").String(rng.Pick(kServices));
      w.Key("status").String("STOPPED");
    });
  }
  if (alert_class == "comp_script_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      w.Key("samples").BeginObject();
      w.Key("Result").String(rng.Chance(0.5) ? "Backup job failed" : "Disk SMART warning");
      w.Key("ExitCode").String("1");
      w.EndObject();
    });
  }
  if (alert_class == "eventlog_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      w.Key("logName").String("System");
      w.Key("code").String("7031");
      w.Key("type").String("Error");
      w.Key("source").String("Service Control Manager");
      w.Key("description").String("A service terminated unexpectedly.");
      w.Key("triggerCount").Int(rng.Between(1, 12));
      w.Key("lastTriggered").Int(now_ms - rng.Between(0, kHour));
      w.Key("causedSuspension").Bool(false);
    });
  }
  if (alert_class == "ping_ctx") {
    return ContextJson(alert_class, [&](JsonWriter& w) {
      w.Key("instanceName").String(rng.Chance(0.5) ? "Gateway" : "Device");
      w.Key("roundtripTime").Int(0);
      w.Key("reasons").BeginArray().String("Timeout").EndArray();
    });
  }
  return std::nullopt;
}

SimAlert MakeAlert(Rng& rng, const SimDevice& device, const SimSite& site,
                   std::int64_t timestamp_ms) {
  static constexpr std::array<string_view, 8> kAgentClasses = {
      "perf_resource_usage_ctx", "perf_disk_usage_ctx", "patch_ctx",    "antivirus_ctx",
      "srvc_status_ctx",         "comp_script_ctx",     "eventlog_ctx", "ping_ctx"};
  static constexpr std::array<string_view, 6> kPriorities = {"Critical", "High",        "Moderate",
                                                             "Low",      "Information", "Unknown"};
  SimAlert a;
  a.alert_uid = rng.Uuid();
  const DeviceKind kind = KindOf(device);
  string_view cls;
  if (!device.online.value_or(false) && rng.Chance(0.7)) {
    cls = "online_offline_status_ctx";
  } else if (!IsAgent(kind)) {
    cls = rng.Chance(0.6) ? "ping_ctx" : "online_offline_status_ctx";
  } else {
    cls = kAgentClasses[rng.Weighted({0.18, 0.2, 0.12, 0.1, 0.14, 0.1, 0.12, 0.04})];
  }
  a.priority = std::string(kPriorities[rng.Weighted({0.1, 0.22, 0.33, 0.15, 0.17, 0.03})]);
  a.context_class = std::string(cls);
  a.context_json = MakeAlertContext(rng, cls, timestamp_ms).value_or("null");
  if (cls == "online_offline_status_ctx") {
    a.diagnostics = rng.Chance(0.5) ? std::optional<std::string>{} : "Device has gone offline.";
  } else if (cls == "perf_disk_usage_ctx") {
    a.diagnostics = "Free space on the volume is below the threshold.";
  } else if (cls == "srvc_status_ctx") {
    a.diagnostics = "Service is not running.";
  } else if (rng.Chance(0.6)) {
    a.diagnostics = "Monitor threshold breached.";
  }
  a.muted = rng.Chance(0.05);
  if (rng.Chance(0.1)) {
    a.ticket_number = Format("T2025%04d.%04d", static_cast<int>(rng.Between(101, 1231)),
                             static_cast<int>(rng.Between(1, 9999)));
  }
  a.timestamp = timestamp_ms;
  a.sends_emails = rng.Chance(0.6);
  a.creates_ticket = a.ticket_number.has_value();
  a.device_uid = device.uid;
  a.device_name = device.hostname;
  a.site_uid = site.uid;
  a.site_name = site.name;
  if (*a.sends_emails) {
    ResponseActionData email;
    email.action_time = timestamp_ms + 2 * kSecond;
    email.action_type = "EMAIL_SENT";
    email.description = "Alert email sent to the site's recipients";
    a.response_actions.push_back(std::move(email));
  }
  if (a.ticket_number) {
    ResponseActionData ticket;
    ticket.action_time = timestamp_ms + 5 * kSecond;
    ticket.action_type = "TICKET_CREATED";
    ticket.description = "PSA ticket created";
    ticket.action_reference = a.ticket_number;
    a.response_actions.push_back(std::move(ticket));
  }
  if (cls != "online_offline_status_ctx" && rng.Chance(0.4)) a.autoresolve_mins = 60;
  return a;
}

AccountState GenerateAccount(const GeneratorOptions& options, std::int64_t now_ms) {
  Rng rng(options.seed);
  AccountState state;
  state.account = MakeAccountInfo(rng);
  state.next_site_id = 10001;
  state.next_device_id = 1000001;

  // Sites: "Deleted Devices" first (the oldest), then regular and a few on-demand sites.
  const int site_count = std::max(options.sites, 2);
  const int on_demand_count = site_count >= 3 ? std::max(1, (site_count - 1) / 40) : 0;
  std::vector<bool> on_demand(static_cast<std::size_t>(site_count), false);
  for (int placed = 0; placed < on_demand_count;) {
    const auto i = static_cast<std::size_t>(rng.Between(1, site_count - 1));
    if (on_demand[i]) continue;
    on_demand[i] = true;
    ++placed;
  }
  std::unordered_set<std::string> names{std::string(kDeletedDevicesSiteName)};
  std::vector<SimSite> sites;
  sites.reserve(static_cast<std::size_t>(site_count));
  sites.push_back(MakeSite(rng, state.next_site_id++, std::string(kDeletedDevicesSiteName), false));
  for (int i = 1; i < site_count; ++i) {
    const bool od = on_demand[static_cast<std::size_t>(i)];
    std::string name = od ? Format("On-Demand Support %04d", i) : MakeSiteName(rng, names);
    names.insert(name);
    sites.push_back(MakeSite(rng, state.next_site_id++, std::move(name), od));
  }

  // Devices per site: 1% deleted, one to three per on-demand site, the rest Zipf-distributed
  // over the regular sites in a random order (a few big sites, a long tail of small ones).
  const int device_count = std::max(options.devices, 0);
  std::vector<int> per_site(sites.size(), 0);
  int left = device_count;
  per_site[0] = device_count >= 20 ? std::max(1, device_count / 100) : 0;
  left -= per_site[0];
  std::vector<std::size_t> regular;
  for (std::size_t i = 1; i < sites.size(); ++i) {
    if (on_demand[i]) {
      per_site[i] = std::min(left, static_cast<int>(rng.Between(1, 3)));
      left -= per_site[i];
    } else {
      regular.push_back(i);
    }
  }
  for (std::size_t i = regular.size(); i > 1; --i) {
    std::swap(regular[i - 1], regular[static_cast<std::size_t>(rng.Below(i))]);
  }
  std::vector<double> weights(regular.size());
  for (std::size_t r = 0; r < regular.size(); ++r) {
    weights[r] = 1.0 / std::pow(static_cast<double>(r + 1), 1.1);
  }
  const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<std::pair<double, std::size_t>> remainders;
  int assigned = 0;
  for (std::size_t r = 0; r < regular.size(); ++r) {
    const double exact = static_cast<double>(left) * weights[r] / weight_sum;
    const auto whole = static_cast<int>(std::floor(exact));
    per_site[regular[r]] = whole;
    assigned += whole;
    remainders.emplace_back(exact - whole, r);
  }
  std::sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  for (std::size_t k = 0; assigned < left && k < remainders.size(); ++k, ++assigned) {
    ++per_site[regular[remainders[k].second]];
  }

  // Ids interleave across sites, as devices are enrolled over time.
  std::vector<std::pair<std::size_t, DeviceKind>> slots;
  slots.reserve(static_cast<std::size_t>(device_count));
  for (std::size_t s = 0; s < sites.size(); ++s) {
    for (int k = 0; k < per_site[s]; ++k) {
      DeviceKind kind = PickDeviceKind(rng);
      if (s == 0 || on_demand[s])
        kind = rng.Chance(0.6) ? DeviceKind::kDesktop : DeviceKind::kLaptop;
      slots.emplace_back(s, kind);
    }
  }
  for (std::size_t i = slots.size(); i > 1; --i) {
    std::swap(slots[i - 1], slots[static_cast<std::size_t>(rng.Below(i))]);
  }
  std::vector<std::array<int, 6>> numbers(sites.size(), std::array<int, 6>{});
  state.devices.reserve(slots.size());
  for (const auto& [s, kind] : slots) {
    const int number = ++numbers[s][static_cast<std::size_t>(kind)];
    state.devices.push_back(std::make_shared<const SimDevice>(MakeDevice(
        rng, state.next_device_id++, sites[s], kind, number, options.online_ratio, now_ms)));
  }

  for (auto& site : sites) state.sites.push_back(std::make_shared<const SimSite>(std::move(site)));
  RebuildSiteIndex(state);

  // Open alerts on devices outside "Deleted Devices", mostly recent with a tail of old ones.
  std::vector<std::size_t> eligible;
  for (std::size_t i = 0; i < state.devices.size(); ++i) {
    if (!state.FindSite(state.devices[i]->site_uid)->IsDeletedDevicesSite()) eligible.push_back(i);
  }
  if (!eligible.empty()) {
    for (int i = 0; i < options.alerts; ++i) {
      const SimDevice& device = *state.devices[eligible[rng.Below(eligible.size())]];
      const double u = rng.Unit();
      const auto age =
          static_cast<std::int64_t>(30.0 * static_cast<double>(kDay) * u * u * u) + kMinute;
      state.alerts.push_back(std::make_shared<const SimAlert>(
          MakeAlert(rng, device, *state.FindSite(device.site_uid), now_ms - age)));
    }
  }
  SortAlerts(state.alerts);
  RebuildDeviceIndex(state);
  RebuildAlertIndex(state);
  return state;
}

}  // namespace drmm::sim
