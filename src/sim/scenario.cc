#include "sim/scenario.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "sim/generator.h"
#include "sim/rng.h"
#include "sim/time_format.h"

namespace drmm::sim {
namespace {

using nlohmann::json;

Error At(const std::string& path, const std::string& message) {
  return Error{path + ": " + message};
}

// The first error met while reading a scenario: the one reported. Reading goes on after it,
// but every Reader call is then a no-op (Has() is false), and the steps that cannot go on
// without what failed (a device's site) return at once, so nothing later replaces or follows
// from it.
class FirstError {
 public:
  void Fail(const std::string& path, const std::string& message) {
    if (!error_) error_ = At(path, message);
  }
  bool failed() const { return error_.has_value(); }
  Error Take() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

// Typed, null-aware access to one JSON object of the scenario, with errors that name the path.
class Reader {
 public:
  Reader(const json& object, std::string path, FirstError& errors)
      : object_(object), path_(std::move(path)), errors_(errors) {
    if (!object_.is_object()) errors_.Fail(path_, "expected an object");
  }
  // The object at `key` of this one (or an element of a list in it: "responseActions[2]").
  Reader Child(const json& object, std::string_view key) const {
    return {object, Path(key), errors_};
  }

  bool failed() const { return errors_.failed(); }
  void Fail(std::string_view key, const std::string& message) const {
    errors_.Fail(Path(key), message);
  }

  void AllowOnly(std::initializer_list<std::string_view> keys) const {
    if (failed()) return;
    for (const auto& [key, value] : object_.items()) {
      bool known = false;
      for (std::string_view k : keys) known = known || k == key;
      if (!known) {
        Fail(key, "unknown property (or one the simulator computes)");
        return;
      }
    }
  }
  bool Has(std::string_view key) const { return !failed() && object_.contains(key); }
  const json& Get(std::string_view key) const { return object_.at(std::string(key)); }
  std::string Path(std::string_view key) const { return path_ + "." + std::string(key); }

  void String(std::string_view key, std::optional<std::string>& target) const {
    Scalar(
        key, target, [](const json& v) { return v.is_string(); }, "a string");
  }
  void Bool(std::string_view key, std::optional<bool>& target) const {
    Scalar(
        key, target, [](const json& v) { return v.is_boolean(); }, "a boolean");
  }
  void Int(std::string_view key, std::optional<std::int64_t>& target) const {
    Scalar(
        key, target, [](const json& v) { return v.is_number_integer(); }, "an integer");
  }
  // Epoch milliseconds, an ISO-8601 string ("2026-01-01T00:00:00Z"), or null.
  void Timestamp(std::string_view key, std::optional<std::int64_t>& target) const {
    if (!Has(key)) return;
    const json& v = Get(key);
    if (v.is_null()) {
      target.reset();
    } else if (v.is_number_integer()) {
      target = v.get<std::int64_t>();
    } else if (v.is_string()) {
      const auto parsed = ParseIsoMillis(v.get<std::string>());
      if (!parsed) {
        Fail(key, "expected epoch milliseconds or an ISO-8601 UTC time");
        return;
      }
      target = *parsed;
    } else {
      Fail(key, "expected epoch milliseconds, an ISO-8601 string or null");
    }
  }
  // "" after an error.
  std::string RequiredString(std::string_view key) const {
    if (!Has(key) || !Get(key).is_string() || Get(key).get<std::string>().empty()) {
      Fail(key, "required, a non-empty string");
      return {};
    }
    return Get(key).get<std::string>();
  }
  // Null clears `target`; an object is read by `read` into `target` (created if absent).
  template <typename T, typename Fn>
  void Object(std::string_view key, std::optional<T>& target, Fn read) const {
    if (!Has(key)) return;
    const json& v = Get(key);
    if (v.is_null()) {
      target.reset();
      return;
    }
    if (!target) target.emplace();
    read(Child(v, key), *target);
  }

 private:
  // Absent: `target` stays as it is; null clears it; a value `accepts` is taken; anything else
  // fails naming what was expected.
  template <typename T, typename Accepts>
  void Scalar(std::string_view key, std::optional<T>& target, Accepts accepts,
              std::string_view expected) const {
    if (!Has(key)) return;
    const json& v = Get(key);
    if (v.is_null()) {
      target.reset();
    } else if (accepts(v)) {
      target = v.get<T>();
    } else {
      Fail(key, "expected " + std::string(expected) + " or null");
    }
  }

  const json& object_;
  std::string path_;
  FirstError& errors_;
};

std::string Indexed(std::string_view list, std::size_t i) {
  return std::string(list) + "[" + std::to_string(i) + "]";
}

// "udf1" .. "udf300" (leading zeros allowed: "udf007").
bool IsUdfKey(std::string_view key) {
  if (!key.starts_with("udf") || key.size() <= 3 || key.size() > 6) return false;
  const std::string_view digits = key.substr(3);
  unsigned number = 0;  // unsigned: from_chars takes no sign then
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  return ec == std::errc() && end == digits.data() + digits.size() && number >= 1 && number <= 300;
}

SimSite ReadSite(const Reader& r, Rng& rng, std::int64_t id) {
  r.AllowOnly({"id", "uid", "name", "description", "notes", "onDemand", "splashtopAutoInstall",
               "proxySettings", "autotaskCompanyName", "autotaskCompanyId"});
  std::optional<bool> on_demand;
  r.Bool("onDemand", on_demand);
  SimSite site = MakeSite(rng, id, r.RequiredString("name"), on_demand.value_or(false));
  std::optional<std::int64_t> given_id;
  r.Int("id", given_id);
  if (given_id) site.id = *given_id;
  if (r.Has("uid")) site.uid = r.RequiredString("uid");
  r.String("description", site.description);
  r.String("notes", site.notes);
  site.on_demand = on_demand;
  if (!r.Has("onDemand")) site.on_demand = false;
  r.Bool("splashtopAutoInstall", site.splashtop_auto_install);
  r.Object("proxySettings", site.proxy_settings, [](const Reader& p, ProxySettingsData& proxy) {
    p.AllowOnly({"host", "password", "port", "type", "username"});
    p.String("host", proxy.host);
    p.String("password", proxy.password);
    p.Int("port", proxy.port);
    p.String("type", proxy.type);
    p.String("username", proxy.username);
  });
  r.String("autotaskCompanyName", site.autotask_company_name);
  r.String("autotaskCompanyId", site.autotask_company_id);
  return site;
}

void ReadDeviceOverrides(const Reader& r, SimDevice& d) {
  r.String("hostname", d.hostname);
  r.String("intIpAddress", d.int_ip_address);
  r.String("operatingSystem", d.operating_system);
  r.String("lastLoggedInUser", d.last_logged_in_user);
  r.String("domain", d.domain);
  r.String("cagVersion", d.cag_version);
  r.String("displayVersion", d.display_version);
  r.String("extIpAddress", d.ext_ip_address);
  r.String("description", d.description);
  r.Bool("a64Bit", d.a64_bit);
  r.Bool("rebootRequired", d.reboot_required);
  r.Bool("online", d.online);
  r.Bool("suspended", d.suspended);
  r.Bool("deleted", d.deleted);
  r.Timestamp("lastSeen", d.last_seen);
  r.Timestamp("lastReboot", d.last_reboot);
  r.Timestamp("lastAuditDate", d.last_audit_date);
  r.Timestamp("creationDate", d.creation_date);
  if (r.Has("udf")) {
    const json& udf = r.Get("udf");
    if (!udf.is_null()) {
      const Reader u = r.Child(udf, "udf");
      if (u.failed()) return;
      d.udf.clear();
      for (int i = 1; i <= 300; ++i) {
        std::optional<std::string> value;
        u.String("udf" + std::to_string(i), value);
        if (value) d.udf.emplace_back(i, std::move(*value));
      }
      for (const auto& [key, value] : udf.items()) {
        if (!IsUdfKey(key)) {
          u.Fail(key, "unknown property (udf1 .. udf300)");
          return;
        }
      }
    }
  }
  r.Bool("snmpEnabled", d.snmp_enabled);
  r.String("deviceClass", d.device_class);
  r.String("warrantyDate", d.warranty_date);
  r.Object("antivirus", d.antivirus, [](const Reader& a, AntivirusData& av) {
    a.AllowOnly({"antivirusProduct", "antivirusStatus"});
    a.String("antivirusProduct", av.antivirus_product);
    a.String("antivirusStatus", av.antivirus_status);
  });
  r.Object("patchManagement", d.patch_management, [](const Reader& p, PatchManagementData& pm) {
    p.AllowOnly(
        {"patchStatus", "patchesApprovedPending", "patchesNotApproved", "patchesInstalled"});
    p.String("patchStatus", pm.patch_status);
    p.Int("patchesApprovedPending", pm.patches_approved_pending);
    p.Int("patchesNotApproved", pm.patches_not_approved);
    p.Int("patchesInstalled", pm.patches_installed);
  });
  r.String("softwareStatus", d.software_status);
  r.Bool("networkProbe", d.network_probe);
  r.Bool("onboardedViaNetworkMonitor", d.onboarded_via_network_monitor);
}

SimDevice ReadDevice(const Reader& r, const AccountState& state, Rng& rng, std::int64_t id,
                     int number, const ScenarioDefaults& defaults) {
  r.AllowOnly({"id",
               "uid",
               "siteUid",
               "deviceType",
               "hostname",
               "intIpAddress",
               "operatingSystem",
               "lastLoggedInUser",
               "domain",
               "cagVersion",
               "displayVersion",
               "extIpAddress",
               "description",
               "a64Bit",
               "rebootRequired",
               "online",
               "suspended",
               "deleted",
               "lastSeen",
               "lastReboot",
               "lastAuditDate",
               "creationDate",
               "udf",
               "snmpEnabled",
               "deviceClass",
               "warrantyDate",
               "antivirus",
               "patchManagement",
               "softwareStatus",
               "networkProbe",
               "onboardedViaNetworkMonitor"});
  const std::string site_uid = r.RequiredString("siteUid");
  const SimSite* site = state.FindSite(site_uid);
  if (site == nullptr) {
    r.Fail("siteUid", "no site has uid \"" + site_uid + "\"");
    return {};
  }

  // The kind decides the generated defaults (a printer gets a printer's nulls).
  SimDevice shape;
  r.String("deviceClass", shape.device_class);
  r.Object("deviceType", shape.device_type, [](const Reader& t, DeviceTypeData& type) {
    t.AllowOnly({"category", "type"});
    t.String("category", type.category);
    t.String("type", type.type);
  });
  SimDevice d =
      MakeDevice(rng, id, *site, KindOf(shape), number, defaults.online_ratio, defaults.now_ms);
  std::optional<std::int64_t> given_id;
  r.Int("id", given_id);
  if (given_id) d.id = *given_id;
  if (r.Has("uid")) d.uid = r.RequiredString("uid");
  if (r.Has("deviceType")) d.device_type = shape.device_type;
  ReadDeviceOverrides(r, d);
  return d;
}

SimAlert ReadAlert(const Reader& r, const AccountState& state, Rng& rng,
                   const ScenarioDefaults& defaults) {
  r.AllowOnly({"alertUid", "priority", "diagnostics", "muted", "ticketNumber", "timestamp",
               "alertMonitorInfo", "alertContext", "alertSourceInfo", "responseActions",
               "autoresolveMins"});
  if (!r.Has("alertSourceInfo") || !r.Get("alertSourceInfo").is_object()) {
    r.Fail("alertSourceInfo", "required, an object with deviceUid or siteUid");
    return {};
  }
  const Reader source = r.Child(r.Get("alertSourceInfo"), "alertSourceInfo");
  source.AllowOnly({"deviceUid", "deviceName", "siteUid", "siteName"});
  std::optional<std::string> device_uid;
  std::optional<std::string> site_uid;
  source.String("deviceUid", device_uid);
  source.String("siteUid", site_uid);
  const SimDevice* device = device_uid ? state.FindDevice(*device_uid) : nullptr;
  if (device_uid && device == nullptr) {
    source.Fail("deviceUid", "no device has uid \"" + *device_uid + "\"");
    return {};
  }
  if (!site_uid && device != nullptr) site_uid = device->site_uid;
  if (!site_uid) {
    source.Fail("siteUid", "required when deviceUid is not given");
    return {};
  }
  const SimSite* site = state.FindSite(*site_uid);
  if (site == nullptr) {
    source.Fail("siteUid", "no site has uid \"" + *site_uid + "\"");
    return {};
  }

  SimDevice placeholder;  // a site-level alert: no device behind it
  placeholder.online = true;
  std::optional<std::int64_t> timestamp;
  r.Timestamp("timestamp", timestamp);
  const std::int64_t base_time =
      r.Has("timestamp") ? timestamp.value_or(defaults.now_ms) : defaults.now_ms - 3'600'000;
  SimAlert a = MakeAlert(rng, device != nullptr ? *device : placeholder, *site, base_time);
  a.timestamp = r.Has("timestamp") ? timestamp : std::optional<std::int64_t>(base_time);
  if (device == nullptr) {
    a.device_uid.reset();
    a.device_name.reset();
  }
  a.site_uid = *site_uid;
  source.String("deviceName", a.device_name);
  source.String("siteName", a.site_name);
  if (r.Has("alertUid")) a.alert_uid = r.RequiredString("alertUid");
  r.String("priority", a.priority);
  r.String("diagnostics", a.diagnostics);
  r.Bool("muted", a.muted);
  r.String("ticketNumber", a.ticket_number);
  if (r.Has("alertMonitorInfo")) {
    const Reader m = r.Child(r.Get("alertMonitorInfo"), "alertMonitorInfo");
    m.AllowOnly({"sendsEmails", "createsTicket"});
    m.Bool("sendsEmails", a.sends_emails);
    m.Bool("createsTicket", a.creates_ticket);
  }
  if (r.Has("alertContext")) {
    const json& given = r.Get("alertContext");
    if (given.is_null()) {
      a.context_json = "null";
      a.context_class.reset();
    } else if (given.is_object()) {
      json context = given;
      const auto cls = given.find("@class");
      a.context_class.reset();
      if (cls != given.end() && cls->is_string()) {
        a.context_class = cls->get<std::string>();
        // Properties not given come from the generator for a known class.
        if (auto generated = MakeAlertContext(rng, *a.context_class, base_time)) {
          context = json::parse(*generated);
          for (const auto& [key, value] : given.items()) context[key] = value;
        }
      }
      a.context_json = context.dump();
    } else {
      r.Fail("alertContext", "expected an object or null");
    }
  }
  if (r.Has("responseActions")) {
    const json& actions = r.Get("responseActions");
    if (!actions.is_array()) {
      r.Fail("responseActions", "expected an array");
      return {};
    }
    a.response_actions.clear();
    for (std::size_t i = 0; i < actions.size(); ++i) {
      const Reader ar = r.Child(actions[i], Indexed("responseActions", i));
      ar.AllowOnly(
          {"actionTime", "actionType", "description", "actionReference", "actionReferenceInt"});
      ResponseActionData action;
      ar.Timestamp("actionTime", action.action_time);
      ar.String("actionType", action.action_type);
      ar.String("description", action.description);
      ar.String("actionReference", action.action_reference);
      ar.String("actionReferenceInt", action.action_reference_int);
      a.response_actions.push_back(std::move(action));
    }
  }
  r.Int("autoresolveMins", a.autoresolve_mins);
  return a;
}

// Empty when absent, and after an error.
const json& ListOrEmpty(const json& document, const char* key, FirstError& errors) {
  static const json kEmpty = json::array();
  const auto it = document.find(key);
  if (it == document.end()) return kEmpty;
  if (!it->is_array()) {
    errors.Fail(key, "expected an array");
    return kEmpty;
  }
  return *it;
}

}  // namespace

Result<Scenario> ParseScenario(const json& document, const ScenarioDefaults& defaults) {
  FirstError errors;
  const Reader top(document, "scenario", errors);
  top.AllowOnly({"seed", "account", "sites", "devices", "alerts"});
  Scenario scenario;
  std::optional<std::int64_t> seed;
  top.Int("seed", seed);
  if (seed) scenario.seed = static_cast<std::uint64_t>(*seed);
  Rng rng(scenario.seed.value_or(defaults.seed));
  AccountState& state = scenario.state;
  state.account = MakeAccountInfo(rng);
  state.next_site_id = 10001;
  state.next_device_id = 1000001;

  if (top.Has("account")) {
    const Reader a(document.at("account"), "account", errors);
    a.AllowOnly({"id", "uid", "name", "descriptor", "currency"});
    std::optional<std::int64_t> id;
    a.Int("id", id);
    if (id) state.account.id = *id;
    if (a.Has("uid")) state.account.uid = a.RequiredString("uid");
    if (a.Has("name")) state.account.name = a.RequiredString("name");
    a.String("currency", state.account.currency);
    if (a.Has("descriptor")) {
      const Reader d = a.Child(document.at("account").at("descriptor"), "descriptor");
      d.AllowOnly({"bilingEmail", "deviceLimit", "timeZone"});
      d.String("bilingEmail", state.account.billing_email);
      d.Int("deviceLimit", state.account.device_limit);
      d.String("timeZone", state.account.time_zone);
    }
  }
  if (errors.failed()) return std::move(errors).Take();

  std::unordered_set<std::string> uids;
  bool has_deleted_devices = false;
  const json& sites = ListOrEmpty(document, "sites", errors);
  if (errors.failed()) return std::move(errors).Take();
  for (std::size_t i = 0; i < sites.size(); ++i) {
    SimSite site =
        ReadSite(Reader(sites[i], Indexed("sites", i), errors), rng, state.next_site_id++);
    if (errors.failed()) return std::move(errors).Take();
    if (!uids.insert(site.uid).second) return At(Indexed("sites", i) + ".uid", "duplicate uid");
    has_deleted_devices = has_deleted_devices || site.IsDeletedDevicesSite();
    state.next_site_id = std::max(state.next_site_id, site.id + 1);
    state.sites.push_back(std::make_shared<const SimSite>(std::move(site)));
  }
  if (!has_deleted_devices) {  // every real account has one
    state.sites.push_back(std::make_shared<const SimSite>(
        MakeSite(rng, state.next_site_id++, std::string(kDeletedDevicesSiteName), false)));
  }
  std::stable_sort(state.sites.begin(), state.sites.end(),
                   [](const auto& a, const auto& b) { return a->id < b->id; });
  RebuildSiteIndex(state);

  const json& devices = ListOrEmpty(document, "devices", errors);
  if (errors.failed()) return std::move(errors).Take();
  std::unordered_map<std::string, int> numbers;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Reader r(devices[i], Indexed("devices", i), errors);
    const int number = ++numbers[r.Has("siteUid") && r.Get("siteUid").is_string()
                                     ? r.Get("siteUid").get<std::string>()
                                     : std::string()];
    SimDevice device = ReadDevice(r, state, rng, state.next_device_id++, number, defaults);
    if (errors.failed()) return std::move(errors).Take();
    if (!uids.insert(device.uid).second) {
      return At(Indexed("devices", i) + ".uid", "duplicate uid");
    }
    state.next_device_id = std::max(state.next_device_id, device.id + 1);
    state.devices.push_back(std::make_shared<const SimDevice>(std::move(device)));
  }
  std::stable_sort(state.devices.begin(), state.devices.end(),
                   [](const auto& a, const auto& b) { return a->id < b->id; });
  RebuildDeviceIndex(state);

  const json& alerts = ListOrEmpty(document, "alerts", errors);
  if (errors.failed()) return std::move(errors).Take();
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    SimAlert alert =
        ReadAlert(Reader(alerts[i], Indexed("alerts", i), errors), state, rng, defaults);
    if (errors.failed()) return std::move(errors).Take();
    if (!uids.insert(alert.alert_uid).second) {
      return At(Indexed("alerts", i) + ".alertUid", "duplicate uid");
    }
    state.alerts.push_back(std::make_shared<const SimAlert>(std::move(alert)));
  }
  SortAlerts(state.alerts);
  RebuildAlertIndex(state);
  return scenario;
}

Result<Scenario> LoadScenarioFile(const std::string& path, const ScenarioDefaults& defaults) {
  std::ifstream in(path);
  if (!in) return At(path, "cannot open the scenario file");
  std::stringstream text;
  text << in.rdbuf();
  json document;
  // nlohmann/json says where a document is malformed only in the exception it throws; it is
  // turned into an Error here, where the library is called.
  try {
    document = json::parse(text.str());
  } catch (const json::parse_error& e) {
    return At(path, std::string("not valid JSON: ") + e.what());
  }
  auto scenario = ParseScenario(document, defaults);
  if (!scenario.ok()) return At(path, scenario.error().message);
  return scenario;
}

}  // namespace drmm::sim
