// The PromQL a Grafana dashboard runs, made runnable against a plain Prometheus: every panel
// target's expression (panels inside rows included) and every query variable's
// label_values(<selector>, <label>) or query_result(<expr>), with the template variables replaced
// the way the dashboard lint allows them to appear: =~"$var" -> =~".*", and $__rate_interval ->
// a fixed range. For query_result variables, Grafana's text of a result row and the variable's
// regex, as Grafana applies them, so a test can check what the variable shows and selects.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace drmm::e2e {

struct DashboardQuery {
  std::string where;  // "datto-rmm-site.json panel 24 (Devices) B" or "... variable site"
  std::string expr;   // substituted
  std::string label;  // label_values variables: the label whose values it offers; others: ""
  bool query_result = false;  // a query_result(<expr>) variable: `expr` is the inner expression
  std::string regex;          // the variable's regex ("/.../"), empty when it has none
};

std::string SubstituteTemplateVariables(std::string expr, const std::string& rate_range);

std::vector<DashboardQuery> PanelQueries(const nlohmann::json& dashboard, const std::string& file,
                                         const std::string& rate_range);

// Variables of type "query" only; a query that is neither label_values(<selector>, <label>)
// nor query_result(<expr>) comes back with an empty `label` and the raw query as `expr`, for the
// test to report.
std::vector<DashboardQuery> VariableQueries(const nlohmann::json& dashboard,
                                            const std::string& file);

// How Grafana shows one row of a query_result variable's answer: name{label="value",...} (labels
// in the order Prometheus sends them, which is sorted; values unescaped), the sample value and
// the time in milliseconds.
std::string GrafanaQueryResultText(const std::map<std::string, std::string>& labels,
                                   const std::string& value, long long time_ms);

// Applies a variable regex ("/pattern/flags") to one option as Grafana does: the named groups
// text and value become the option's text and value (value alone: both; no group: the whole
// match). nullopt when the regex does not match or cannot be read.
struct VariableOption {
  std::string text;
  std::string value;
};
std::optional<VariableOption> ApplyVariableRegex(const std::string& regex,
                                                 const std::string& option);

}  // namespace drmm::e2e
