#include "ground_truth_queries.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace drmm::e2e {
namespace {

using nlohmann::json;

std::string Aggregation(const std::vector<std::string>& by, const std::string& family,
                        const std::string& account) {
  std::string labels;
  for (const auto& label : by) labels += (labels.empty() ? "" : ", ") + label;
  return "sum by (" + labels + ") (" + family + "{account=\"" + account + "\"})";
}

TruthQuery Query(const std::string& family, std::vector<std::string> by,
                 const std::string& account) {
  TruthQuery query;
  query.promql = Aggregation(by, family, account);
  query.by = std::move(by);
  return query;
}

double Number(const json& value) { return value.get<double>(); }

std::string Describe(const std::vector<std::string>& by, const SeriesKey& key) {
  std::map<std::string, std::string> labels;
  for (std::size_t i = 0; i < by.size() && i < key.size(); ++i) labels[by[i]] = key[i];
  return FormatLabels(labels);
}

}  // namespace

bool ExportedByDefault(const json& site) { return !site.at("deleted_devices_site").get<bool>(); }

std::vector<TruthQuery> GroundTruthQueries(const json& truth, const std::string& account) {
  TruthQuery info = Query("datto_rmm_site_info",
                          {"site_uid", "site", "on_demand", "portal_url", "autotask_company_id",
                           "autotask_company_name"},
                          account);
  TruthQuery not_seen =
      Query("datto_rmm_site_devices_not_seen", {"site_uid", "older_than"}, account);
  TruthQuery warranty = Query("datto_rmm_site_devices_warranty", {"site_uid", "warranty"}, account);
  TruthQuery device_state = Query("datto_rmm_site_devices_state", {"site_uid", "state"}, account);
  // udf1 is mapped to the label "contract" with site counts in the exporter's configuration.
  TruthQuery udf;
  udf.by = {"site_uid", "value"};
  udf.promql = "sum by (site_uid, value) (datto_rmm_site_devices_udf{account=\"" + account +
               "\", udf=\"contract\"})";
  TruthQuery alerts =
      Query("datto_rmm_site_alerts_open", {"site_uid", "priority", "muted"}, account);
  TruthQuery devices = Query("datto_rmm_site_devices", {"site_uid", "category", "status"}, account);
  TruthQuery patch_status =
      Query("datto_rmm_site_devices_patch_status", {"site_uid", "patch_status"}, account);
  TruthQuery patches = Query("datto_rmm_site_patches", {"site_uid", "state"}, account);
  TruthQuery reboot = Query("datto_rmm_site_devices_reboot_required", {"site_uid"}, account);
  TruthQuery antivirus =
      Query("datto_rmm_site_devices_antivirus_status", {"site_uid", "antivirus_status"}, account);
  TruthQuery oldest = Query("datto_rmm_site_oldest_open_alert_timestamp_seconds",
                            {"site_uid", "priority", "muted"}, account);
  oldest.tolerance = 1e-3;  // Datto's milliseconds as seconds
  TruthQuery by_type = Query("datto_rmm_alerts_open", {"priority", "type", "muted"}, account);

  for (const auto& site : truth.at("sites")) {
    if (!ExportedByDefault(site)) continue;
    const std::string uid = site.at("uid");
    info.expected[{uid, site.at("name"), site.at("on_demand").get<bool>() ? "true" : "false",
                   site.at("portal_url"), site.at("autotask_company_id"),
                   site.at("autotask_company_name")}] = 1;
    // Every site gets these, at 0 when it has no devices.
    for (const auto& [age, count] : site.at("devices_not_seen").items()) {
      not_seen.expected[{uid, age}] = Number(count);
    }
    for (const auto& [value, count] : site.at("devices_warranty").items()) {
      warranty.expected[{uid, value}] = Number(count);
    }
    for (const auto& [value, count] : site.at("devices_state").items()) {
      device_state.expected[{uid, value}] = Number(count);
    }
    if (site.at("devices_by_udf").contains("udf1")) {
      for (const auto& [value, count] : site.at("devices_by_udf").at("udf1").items()) {
        udf.expected[{uid, value}] = Number(count);
      }
    }
    for (const auto& [muted, by_priority] : site.at("alerts_open").items()) {
      for (const auto& [priority, count] : by_priority.items()) {
        alerts.expected[{uid, priority, muted}] = Number(count);
      }
    }
    for (const auto& [muted, by_priority] :
         site.at("oldest_open_alert_timestamp_seconds").items()) {
      for (const auto& [priority, seconds] : by_priority.items()) {
        oldest.expected[{uid, priority, muted}] = Number(seconds);
      }
    }
    for (const auto& [muted, by_priority] : site.at("alerts_open_by_type").items()) {
      for (const auto& [priority, types] : by_priority.items()) {
        for (const auto& [type, count] : types.items()) {
          by_type.expected[{priority, type, muted}] += Number(count);
        }
      }
    }
    if (site.at("devices_total").get<int>() == 0) continue;
    std::set<std::string> categories;
    for (const auto& [category, count] : site.at("devices_online_by_category").items()) {
      categories.insert(category);
    }
    for (const auto& [category, count] : site.at("devices_offline_by_category").items()) {
      categories.insert(category);
    }
    for (const auto& category : categories) {
      for (const std::string status : {"online", "offline"}) {
        const json& counts = site.at("devices_" + status + "_by_category");
        devices.expected[{uid, category, status}] =
            counts.contains(category) ? Number(counts.at(category)) : 0;
      }
    }
    for (const auto& [state, count] : site.at("patch_status").items()) {
      patch_status.expected[{uid, state}] = Number(count);
    }
    for (const auto& [state, count] : site.at("patches").items()) {
      patches.expected[{uid, state}] = Number(count);
    }
    reboot.expected[{uid}] = Number(site.at("reboot_required"));
    for (const auto& [state, count] : site.at("antivirus_status").items()) {
      antivirus.expected[{uid, state}] = Number(count);
    }
  }
  return {info,   alerts,  devices,  patch_status, patches,      reboot, antivirus,
          oldest, by_type, not_seen, warranty,     device_state, udf};
}

SeriesValues KeyedBy(const std::vector<PromSample>& samples, const std::vector<std::string>& by) {
  SeriesValues keyed;
  for (const auto& sample : samples) {
    SeriesKey key;
    for (const auto& label : by) {
      const auto it = sample.labels.find(label);
      key.push_back(it == sample.labels.end() ? "" : it->second);
    }
    keyed[key] = sample.value;
  }
  return keyed;
}

std::vector<std::string> DiffSeries(const std::vector<std::string>& by,
                                    const SeriesValues& expected, const SeriesValues& actual,
                                    double tolerance) {
  std::vector<std::string> differences;
  for (const auto& [key, value] : expected) {
    const auto it = actual.find(key);
    std::ostringstream line;
    line.precision(15);
    if (it == actual.end()) {
      line << "missing " << Describe(by, key) << " (expected " << value << ")";
      differences.push_back(line.str());
    } else if (!(std::fabs(it->second - value) <= tolerance)) {
      line << Describe(by, key) << ": expected " << value << ", got " << it->second;
      differences.push_back(line.str());
    }
  }
  for (const auto& [key, value] : actual) {
    if (expected.contains(key)) continue;
    std::ostringstream line;
    line.precision(15);
    line << "unexpected " << Describe(by, key) << " = " << value;
    differences.push_back(line.str());
  }
  return differences;
}

}  // namespace drmm::e2e
