// The PromQL a Grafana dashboard runs, made runnable against a plain Prometheus: every panel
// target's expression (panels inside rows included) and every query variable's
// label_values(<selector>, <label>), with the template variables replaced the way the dashboard
// lint allows them to appear: =~"$var" -> =~".*", and $__rate_interval -> a fixed range.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drmm::e2e {

struct DashboardQuery {
  std::string where;  // "datto-rmm-site.json panel 24 (Devices) B" or "... variable site"
  std::string expr;   // substituted
  std::string label;  // variables: the label whose values the variable offers; panels: ""
};

std::string SubstituteTemplateVariables(std::string expr, const std::string& rate_range);

std::vector<DashboardQuery> PanelQueries(const nlohmann::json& dashboard, const std::string& file,
                                         const std::string& rate_range);

// Variables of type "query" only; a query that is not label_values(<selector>, <label>) comes
// back with an empty `label` and the raw query as `expr`, for the test to report.
std::vector<DashboardQuery> VariableQueries(const nlohmann::json& dashboard,
                                            const std::string& file);

}  // namespace drmm::e2e
