#include "sim/render.h"

namespace drmm::sim {
namespace {

constexpr int kUdfCount = 300;

std::string BuildNullUdfBlock() {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  for (int i = 1; i <= kUdfCount; ++i) w.Key("udf" + std::to_string(i)).Null();
  w.EndObject();
  return out;
}

void WriteTimestamp(JsonWriter& w, const std::optional<std::int64_t>& millis,
                    TimestampFormat format) {
  if (!millis) {
    w.Null();
  } else if (format == TimestampFormat::kIso8601) {
    w.String(FormatIsoMillis(*millis));
  } else {
    w.Int(*millis);
  }
}

std::string PortalBase(const AccountState& state) {
  return "https://" + state.account.platform + ".centrastage.net/csm";
}

struct DeviceCounts {
  std::int64_t total = 0;
  std::int64_t online = 0;
};

DeviceCounts CountDevices(const AccountState& state, const Positions& positions) {
  DeviceCounts c;
  for (std::size_t i : positions) {
    ++c.total;
    if (state.devices[i]->online.value_or(false)) ++c.online;
  }
  return c;
}

}  // namespace

std::string_view NullUdfBlock() {
  static const std::string kBlock = BuildNullUdfBlock();
  return kBlock;
}

void WriteSite(JsonWriter& w, const AccountState& state, const SimSite& site) {
  const DeviceCounts counts = CountDevices(state, state.DevicesOfSite(site.uid));
  w.BeginObject();
  w.Key("id").Int(site.id);
  w.Key("uid").String(site.uid);
  w.Key("accountUid").String(state.account.uid);
  w.Key("name").String(site.name);
  w.Key("description").String(site.description);
  w.Key("notes").String(site.notes);
  w.Key("onDemand").Bool(site.on_demand);
  w.Key("splashtopAutoInstall").Bool(site.splashtop_auto_install);
  w.Key("proxySettings");
  if (site.proxy_settings) {
    const ProxySettingsData& p = *site.proxy_settings;
    w.BeginObject();
    w.Key("host").String(p.host);
    w.Key("password").String(p.password);
    w.Key("port").Int(p.port);
    w.Key("type").String(p.type);
    w.Key("username").String(p.username);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("devicesStatus").BeginObject();
  w.Key("numberOfDevices").Int(counts.total);
  w.Key("numberOfOnlineDevices").Int(counts.online);
  w.Key("numberOfOfflineDevices").Int(counts.total - counts.online);
  w.EndObject();
  w.Key("autotaskCompanyName").String(site.autotask_company_name);
  w.Key("autotaskCompanyId").String(site.autotask_company_id);
  w.Key("portalUrl").String(SitePortalUrl(state, site));
  w.EndObject();
}

std::string SitePortalUrl(const AccountState& state, const SimSite& site) {
  return PortalBase(state) + "/profile/site/" + std::to_string(site.id);
}

void WriteDevice(JsonWriter& w, const AccountState& state, const SimDevice& d,
                 TimestampFormat timestamps) {
  const SimSite* site = state.FindSite(d.site_uid);
  w.BeginObject();
  w.Key("id").Int(d.id);
  w.Key("uid").String(d.uid);
  w.Key("siteId");
  if (site != nullptr) {
    w.Int(site->id);
  } else {
    w.Null();
  }
  w.Key("siteUid").String(d.site_uid);
  w.Key("siteName");
  if (site != nullptr) {
    w.String(site->name);
  } else {
    w.Null();
  }
  w.Key("deviceType");
  if (d.device_type) {
    w.BeginObject();
    w.Key("category").String(d.device_type->category);
    w.Key("type").String(d.device_type->type);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("hostname").String(d.hostname);
  w.Key("intIpAddress").String(d.int_ip_address);
  w.Key("operatingSystem").String(d.operating_system);
  w.Key("lastLoggedInUser").String(d.last_logged_in_user);
  w.Key("domain").String(d.domain);
  w.Key("cagVersion").String(d.cag_version);
  w.Key("displayVersion").String(d.display_version);
  w.Key("extIpAddress").String(d.ext_ip_address);
  w.Key("description").String(d.description);
  w.Key("a64Bit").Bool(d.a64_bit);
  w.Key("rebootRequired").Bool(d.reboot_required);
  w.Key("online").Bool(d.online);
  w.Key("suspended").Bool(d.suspended);
  w.Key("deleted").Bool(d.deleted);
  w.Key("lastSeen");
  WriteTimestamp(w, d.last_seen, timestamps);
  w.Key("lastReboot");
  WriteTimestamp(w, d.last_reboot, timestamps);
  w.Key("lastAuditDate");
  WriteTimestamp(w, d.last_audit_date, timestamps);
  w.Key("creationDate");
  WriteTimestamp(w, d.creation_date, timestamps);
  w.Key("udf");
  if (d.udf.empty()) {
    w.Raw(NullUdfBlock());
  } else {
    w.BeginObject();
    auto next = d.udf.begin();
    for (int i = 1; i <= kUdfCount; ++i) {
      w.Key("udf" + std::to_string(i));
      if (next != d.udf.end() && next->first == i) {
        w.String(next->second);
        ++next;
      } else {
        w.Null();
      }
    }
    w.EndObject();
  }
  w.Key("snmpEnabled").Bool(d.snmp_enabled);
  w.Key("deviceClass").String(d.device_class);
  w.Key("portalUrl").String(PortalBase(state) + "/search?qs=uid%3A" + d.uid);
  w.Key("warrantyDate").String(d.warranty_date);
  w.Key("antivirus");
  if (d.antivirus) {
    w.BeginObject();
    w.Key("antivirusProduct").String(d.antivirus->antivirus_product);
    w.Key("antivirusStatus").String(d.antivirus->antivirus_status);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("patchManagement");
  if (d.patch_management) {
    const PatchManagementData& pm = *d.patch_management;
    w.BeginObject();
    w.Key("patchStatus").String(pm.patch_status);
    w.Key("patchesApprovedPending").Int(pm.patches_approved_pending);
    w.Key("patchesNotApproved").Int(pm.patches_not_approved);
    w.Key("patchesInstalled").Int(pm.patches_installed);
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("softwareStatus").String(d.software_status);
  w.Key("webRemoteUrl").String(PortalBase(state) + "/remote/rto/" + d.uid);
  w.Key("networkProbe").Bool(d.network_probe);
  w.Key("onboardedViaNetworkMonitor").Bool(d.onboarded_via_network_monitor);
  w.EndObject();
}

void WriteAlert(JsonWriter& w, const SimAlert& a) {
  w.BeginObject();
  w.Key("alertUid").String(a.alert_uid);
  w.Key("priority").String(a.priority);
  w.Key("diagnostics").String(a.diagnostics);
  w.Key("resolved").Bool(false);
  w.Key("resolvedBy").Null();
  w.Key("resolvedOn").Null();
  w.Key("muted").Bool(a.muted);
  w.Key("ticketNumber").String(a.ticket_number);
  w.Key("timestamp").Int(a.timestamp);
  w.Key("alertMonitorInfo").BeginObject();
  w.Key("sendsEmails").Bool(a.sends_emails);
  w.Key("createsTicket").Bool(a.creates_ticket);
  w.EndObject();
  w.Key("alertContext").Raw(a.context_json);
  w.Key("alertSourceInfo").BeginObject();
  w.Key("deviceUid").String(a.device_uid);
  w.Key("deviceName").String(a.device_name);
  w.Key("siteUid").String(a.site_uid);
  w.Key("siteName").String(a.site_name);
  w.EndObject();
  w.Key("responseActions").BeginArray();
  for (const auto& action : a.response_actions) {
    w.BeginObject();
    w.Key("actionTime").Int(action.action_time);
    w.Key("actionType").String(action.action_type);
    w.Key("description").String(action.description);
    w.Key("actionReference").String(action.action_reference);
    w.Key("actionReferenceInt").String(action.action_reference_int);
    w.EndObject();
  }
  w.EndArray();
  w.Key("autoresolveMins").Int(a.autoresolve_mins);
  w.EndObject();
}

void WritePageDetails(JsonWriter& w, const PageDetailsData& details) {
  w.BeginObject();
  w.Key("count").Int(details.count);
  if (details.total_count) w.Key("totalCount").Int(*details.total_count);
  w.Key("prevPageUrl").String(details.prev_page_url);
  w.Key("nextPageUrl").String(details.next_page_url);
  w.EndObject();
}

std::string RenderAccount(const AccountState& state) {
  std::int64_t total = 0;
  std::int64_t online = 0;
  std::int64_t on_demand = 0;
  for (const auto& d : state.devices) {
    ++total;
    if (d->online.value_or(false)) ++online;
    const SimSite* site = state.FindSite(d->site_uid);
    if (site != nullptr && site->on_demand.value_or(false)) ++on_demand;
  }
  const AccountInfo& a = state.account;
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("id").Int(a.id);
  w.Key("name").String(a.name);
  w.Key("descriptor").BeginObject();
  w.Key("bilingEmail").String(a.billing_email);  // sic: the spec's spelling
  w.Key("deviceLimit").Int(a.device_limit);
  w.Key("timeZone").String(a.time_zone);
  w.EndObject();
  w.Key("uid").String(a.uid);
  w.Key("currency").String(a.currency);
  w.Key("devicesStatus").BeginObject();
  w.Key("numberOfDevices").Int(total);
  w.Key("numberOfOnlineDevices").Int(online);
  w.Key("numberOfOfflineDevices").Int(total - online);
  w.Key("numberOfOnDemandDevices").Int(on_demand);
  w.Key("numberOfManagedDevices").Int(total - on_demand);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace drmm::sim
