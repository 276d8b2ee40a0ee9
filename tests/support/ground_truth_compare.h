// The one comparison of what the exporter serves with the simulator's ground truth
// (GET /__sim/ground-truth, src/sim/ground_truth.cc). The integration tests run it on the families
// BuildFamilies makes (ExpectMatchesGroundTruth in tests/integration/sim_fixture.h), and
// tests/tools/truth_check on the text a scrape of the image returned, so the image test and the
// integration tests cannot disagree on what "equal to the ground truth" means.
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "prometheus/metric_family.h"
#include "support/metric_query.h"

namespace drmm::testing {

// Whether the exporter exports a site (SiteFilter::Includes, or the exporter's default filter).
using SiteIncluded =
    std::function<bool(const std::string& uid, const std::string& name, bool on_demand)>;

struct GroundTruthComparison {
  int sites_compared = 0;                // sites the filter includes
  int values_compared = 0;               // ground-truth figures looked up in the families
  std::vector<std::string> differences;  // one line each, naming the series; empty when equal
};

namespace ground_truth_detail {

inline std::string Describe(const std::string& name, const LabelMap& labels) {
  std::ostringstream out;
  out << name << '{';
  const char* separator = "";
  for (const auto& [key, value] : labels) {
    out << separator << key << "=\"" << value << '"';
    separator = ",";
  }
  out << '}';
  return out.str();
}

inline std::string Number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

class Comparer {
 public:
  explicit Comparer(const std::vector<prometheus::MetricFamily>& families,
                    GroundTruthComparison& result)
      : families_(families), result_(result) {}

  // The served value of the series with exactly `labels` equals `expected` (within
  // `tolerance`); a missing series is a difference too.
  void Expect(const std::string& where, const std::string& name, const LabelMap& labels,
              double expected, double tolerance = 0) {
    ++result_.values_compared;
    const std::optional<double> served = ValueOf(families_, name, labels);
    if (!served) {
      Differ(where, Describe(name, labels) + " is not served; ground truth " + Number(expected));
    } else if (std::fabs(*served - expected) > tolerance) {
      Differ(where, Describe(name, labels) + " is " + Number(*served) + ", ground truth " +
                        Number(expected));
    }
  }

  void Differ(const std::string& where, const std::string& what) {
    result_.differences.push_back(where.empty() ? what : where + ": " + what);
  }

 private:
  const std::vector<prometheus::MetricFamily>& families_;
  GroundTruthComparison& result_;
};

}  // namespace ground_truth_detail

// Compares every per-site figure served for `account` with the ground truth, for the sites
// `included` accepts; excluded sites must be absent. Also the account-wide open alerts by
// priority, type and muted state, summed over the included sites. Categories with no device
// in a state are absent from the ground truth, so the device series are also checked to add up
// to each site's total (no extra non-zero series). Stale agents and warranty are compared at
// the exporter's default ages and horizon (the ground truth's). `udf_site_counts` maps a UDF of
// the ground truth ("udf1") to the label the exporter's config gives it, for the UDFs whose
// per-site counts are configured (and not capped).
inline GroundTruthComparison CompareWithGroundTruth(
    const std::vector<prometheus::MetricFamily>& families, const std::string& account,
    const nlohmann::json& truth, const SiteIncluded& included,
    const std::map<std::string, std::string>& udf_site_counts = {}) {
  using ground_truth_detail::Comparer;
  using ground_truth_detail::Number;
  GroundTruthComparison result;
  Comparer compare(families, result);
  std::map<std::tuple<std::string, std::string, std::string>, double> by_priority_type;
  for (const auto& site : truth.at("sites")) {
    const std::string uid = site.at("uid");
    const std::string name = site.at("name");
    const bool on_demand = site.at("on_demand").get<bool>();
    const std::string where = "site " + name + " (" + uid + ")";
    const LabelMap base{{"account", account}, {"site_uid", uid}, {"site", name}};
    if (!included(uid, name, on_demand)) {
      if (!Select(families, "datto_rmm_site_alerts_open", {{"site_uid", uid}}).empty()) {
        compare.Differ(where, "excluded by the site filter, but exported");
      }
      continue;
    }
    ++result.sites_compared;
    auto with = [&](const std::string& key, const std::string& value) {
      LabelMap labels = base;
      labels[key] = value;
      return labels;
    };
    LabelMap info = with("on_demand", on_demand ? "true" : "false");
    info["portal_url"] = site.at("portal_url");
    info["autotask_company_id"] = site.at("autotask_company_id");
    info["autotask_company_name"] = site.at("autotask_company_name");
    compare.Expect(where, "datto_rmm_site_info", info, 1);
    for (const auto& [age, count] : site.at("devices_not_seen").items()) {
      compare.Expect(where, "datto_rmm_site_devices_not_seen", with("older_than", age),
                     count.get<double>());
    }
    for (const auto& [state, count] : site.at("devices_warranty").items()) {
      compare.Expect(where, "datto_rmm_site_devices_warranty", with("warranty", state),
                     count.get<double>());
    }
    for (const auto& [state, count] : site.at("devices_state").items()) {
      compare.Expect(where, "datto_rmm_site_devices_state", with("state", state),
                     count.get<double>());
    }
    for (const auto& [udf, label] : udf_site_counts) {
      const auto& by_udf = site.at("devices_by_udf");
      double truth_total = 0;
      if (by_udf.contains(udf)) {
        for (const auto& [value, count] : by_udf.at(udf).items()) {
          LabelMap labels = with("udf", label);
          labels["value"] = value;
          compare.Expect(where, "datto_rmm_site_devices_udf", labels, count.get<double>());
          truth_total += count.get<double>();
        }
      }
      double served_total = 0;
      for (const auto* metric : Select(families, "datto_rmm_site_devices_udf",
                                       {{"account", account}, {"site_uid", uid}, {"udf", label}})) {
        served_total += metric->gauge.value;
      }
      ++result.values_compared;
      if (served_total != truth_total) {
        compare.Differ(where, "datto_rmm_site_devices_udf{udf=\"" + label + "\"} adds up to " +
                                  Number(served_total) + ", ground truth " + Number(truth_total));
      }
    }
    for (const auto& [muted, by_priority] : site.at("alerts_open").items()) {
      for (const auto& [priority, count] : by_priority.items()) {
        LabelMap labels = with("priority", priority);
        labels["muted"] = muted;
        compare.Expect(where, "datto_rmm_site_alerts_open", labels, count.get<double>());
      }
    }
    for (const auto& [muted, by_priority] :
         site.at("oldest_open_alert_timestamp_seconds").items()) {
      for (const auto& [priority, seconds] : by_priority.items()) {
        LabelMap labels = with("priority", priority);
        labels["muted"] = muted;
        compare.Expect(where, "datto_rmm_site_oldest_open_alert_timestamp_seconds", labels,
                       seconds.get<double>(), 1e-3);
      }
    }
    for (const auto& [muted, by_priority] : site.at("alerts_open_by_type").items()) {
      for (const auto& [priority, types] : by_priority.items()) {
        for (const auto& [type, count] : types.items()) {
          by_priority_type[{priority, type, muted}] += count.get<double>();
        }
      }
    }
    double device_series_total = 0;
    for (const auto* metric :
         Select(families, "datto_rmm_site_devices", {{"account", account}, {"site_uid", uid}})) {
      device_series_total += metric->gauge.value;
    }
    ++result.values_compared;
    if (device_series_total != site.at("devices_total").get<double>()) {
      compare.Differ(where, "datto_rmm_site_devices adds up to " + Number(device_series_total) +
                                ", ground truth devices_total " +
                                Number(site.at("devices_total").get<double>()));
    }
    for (const char* status : {"online", "offline"}) {
      for (const auto& [category, count] :
           site.at(std::string("devices_") + status + "_by_category").items()) {
        LabelMap labels = with("category", category);
        labels["status"] = status;
        compare.Expect(where, "datto_rmm_site_devices", labels, count.get<double>());
      }
    }
    for (const auto& [state, count] : site.at("patch_status").items()) {
      compare.Expect(where, "datto_rmm_site_devices_patch_status", with("patch_status", state),
                     count.get<double>());
    }
    for (const auto& [state, count] : site.at("patches").items()) {
      compare.Expect(where, "datto_rmm_site_patches", with("state", state), count.get<double>());
    }
    compare.Expect(where, "datto_rmm_site_devices_reboot_required", base,
                   site.at("reboot_required").get<double>());
    for (const auto& [state, count] : site.at("antivirus_status").items()) {
      compare.Expect(where, "datto_rmm_site_devices_antivirus_status",
                     with("antivirus_status", state), count.get<double>());
    }
  }
  if (result.sites_compared == 0) {
    compare.Differ("", "no site of the ground truth is exported by the filter");
  }
  double served_total = 0;
  for (const auto* metric : Select(families, "datto_rmm_alerts_open", {{"account", account}})) {
    served_total += metric->gauge.value;
  }
  double truth_total = 0;
  for (const auto& [key, count] : by_priority_type) {
    const auto& [priority, type, muted] = key;
    truth_total += count;
    compare.Expect("account " + account, "datto_rmm_alerts_open",
                   {{"account", account}, {"priority", priority}, {"type", type}, {"muted", muted}},
                   count);
  }
  ++result.values_compared;
  if (served_total != truth_total) {
    compare.Differ("account " + account, "datto_rmm_alerts_open adds up to " +
                                             Number(served_total) + ", ground truth " +
                                             Number(truth_total));
  }
  return result;
}

}  // namespace drmm::testing
