// Checks a Grafana dashboard (JSON model, schema 36-39) against the project's conventions: the
// datasource/job/instance/account(/site_uid) variables, `${datasource}` everywhere, every query
// filtered by the variables its series carries, `$__rate_interval` in rates, units on every
// panel, unique panel ids, known series and label values, links that point at a known dashboard,
// and template variables only in the `label=~"$label"` form so that every expression can be
// extracted and run with the variables replaced by `.*`.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "series_catalog.h"

namespace drmm::lint {

// Every panel of the dashboard, rows' nested panels included, in document order.
std::vector<const nlohmann::json*> AllPanels(const nlohmann::json& dashboard);

// Every URL of the dashboard's links, panel links and data links.
std::vector<std::string> AllLinkUrls(const nlohmann::json& dashboard);

// The violations, one line each ("panel 3 'Sites' target B: ..."); empty when the dashboard is
// clean. `dashboard_uids` are the uids of the whole set, which `/d/<uid>` links must name.
std::vector<std::string> LintDashboard(const nlohmann::json& dashboard,
                                       const SeriesCatalog& catalog,
                                       const std::set<std::string>& dashboard_uids);

}  // namespace drmm::lint
