// What Prometheus must answer for one account, derived from the simulator's ground truth
// (GET /__sim/ground-truth) under the exporter's default site filter (the "Deleted Devices" site
// left out): PromQL aggregations over the per-site families and the account-wide open alerts,
// each with the series it must return. Plus the comparison of such an expectation with an answer.
// Pure functions, tested on literal JSON, so a comparison that passes everything is caught.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prometheus_api.h"

namespace drmm::e2e {

using SeriesKey = std::vector<std::string>;  // label values, in the order of TruthQuery::by
using SeriesValues = std::map<SeriesKey, double>;

struct TruthQuery {
  std::string promql;           // sum by (<by>) (<family>{account="..."})
  std::vector<std::string> by;  // the labels that key a series
  SeriesValues expected;        // every series the answer must hold, and no other
  double tolerance = 0;         // absolute; 0: exact
};

// Whether the exporter's default site filter exports the site: every site but "Deleted Devices"
// (on-demand sites are exported by default).
bool ExportedByDefault(const nlohmann::json& site);

// One query per compared family: site_info (uid, name, on_demand), alerts_open by priority,
// devices by category and status (both statuses of each category present), devices by patch
// status, patches by state, reboot required, devices by antivirus status, the oldest open alert
// by priority, and the account-wide alerts_open by priority and type. Sites without devices have
// no device series.
std::vector<TruthQuery> GroundTruthQueries(const nlohmann::json& truth, const std::string& account);

// The answer's series keyed by their values of `by` (a missing label reads as "").
SeriesValues KeyedBy(const std::vector<PromSample>& samples, const std::vector<std::string>& by);

// One line per difference: a series missing, one not expected, or a value off by more than
// `tolerance`. Empty when the two agree.
std::vector<std::string> DiffSeries(const std::vector<std::string>& by,
                                    const SeriesValues& expected, const SeriesValues& actual,
                                    double tolerance);

}  // namespace drmm::e2e
